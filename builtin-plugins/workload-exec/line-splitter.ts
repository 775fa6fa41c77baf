/** The longest line read from a plugin's stdout or stderr (§8: 1 MiB). */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines as chunks arrive. A line longer than `maxBytes` is
 * dropped whole (reported through `onOverlong`) and reading goes on with the next line —
 * one oversized progress line must not stop the stream. The final unterminated line is
 * delivered by `end()`.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overlong = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverlong: (bytes: number) => void = () => undefined,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      this.append(chunk.subarray(start, nl));
      this.flush();
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Delivers the last line if it had no newline. */
  end(): void {
    if (this.size > 0 || this.overlong) this.flush();
  }

  private append(part: Buffer): void {
    if (this.overlong) {
      this.size += part.length;
      return;
    }
    if (this.size + part.length > this.maxBytes) {
      this.overlong = true;
      this.size += part.length;
      this.parts = [];
      return;
    }
    this.parts.push(part);
    this.size += part.length;
  }

  private flush(): void {
    if (this.overlong) this.onOverlong(this.size);
    else this.onLine(Buffer.concat(this.parts, this.size).toString('utf8'));
    this.parts = [];
    this.size = 0;
    this.overlong = false;
  }
}
