import type { ClientOperation, ProgressEvent } from '../../plugin-sdk/client/index.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The line the original's progress printer shows for an event, or undefined (state-and-config §3.1). */
export function progressLine(e: ProgressEvent): string | undefined {
  if (e.status === 'running') return `  → ${e.message ?? ''}`;
  if (e.status === 'error') return `  ✗ ${e.message ?? e.step}`;
  if (e.status === 'done' && e.step === 'complete') return `  ✓ ${e.message ?? ''}`;
  return undefined;
}

/** Where progress goes: stdout in the tests and pipes, a TTY with a spinner for people. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Prints progress events as lines. On a TTY the step still running shows a spinner in front
 * of its message, redrawn in place until the next event; elsewhere (pipes, files, tests) the
 * output is exactly the original's lines.
 */
export class ProgressPrinter {
  private spinning: { message: string; frame: number; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly out: ProgressOutput) {}

  event(e: ProgressEvent): void {
    const line = progressLine(e);
    if (line === undefined) return;
    this.settle();
    if (!this.out.isTTY || e.status !== 'running') {
      this.out.write(`${line}\n`);
      return;
    }
    const message = e.message ?? '';
    const timer = setInterval(() => this.draw(), 80);
    timer.unref();
    this.spinning = { message, frame: 0, timer };
    this.draw();
  }

  /** Replaces a spinner line by its final `→` line. Call once the stream has ended. */
  settle(): void {
    const s = this.spinning;
    if (!s) return;
    clearInterval(s.timer);
    this.spinning = undefined;
    this.out.write(`\r\x1b[2K  → ${s.message}\n`);
  }

  private draw(): void {
    const s = this.spinning;
    if (!s) return;
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    this.out.write(`\r\x1b[2K${`  ${FRAMES[s.frame++ % FRAMES.length]} ${s.message}`.slice(0, width)}`);
  }
}

/** Prints an operation's progress as it streams, then resolves to (or throws) its result. */
export async function followProgress<R>(op: ClientOperation<R>, out: ProgressOutput = process.stdout): Promise<R> {
  const printer = new ProgressPrinter(out);
  try {
    for await (const e of op) printer.event(e);
  } finally {
    printer.settle();
  }
  return op.result;
}
