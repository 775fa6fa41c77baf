import type { ProgressEvent } from './contract.js';

/**
 * NDJSON progress on stdout for `deploy`/`teardown` (§8): one compact JSON object per line.
 * Convention: `running` when a step starts, `done` when it ends, `error` only on a path that
 * ends in failure (API clients treat any `error` event as failure of the whole operation).
 */
export class ProgressWriter {
  constructor(private readonly write: (line: string) => void) {}

  /** Writes one event as it is (only `step`, `status` and a non-empty `message`). */
  emit(event: ProgressEvent): void {
    const line: ProgressEvent = { step: event.step, status: event.status, ...(event.message ? { message: event.message } : {}) };
    this.write(`${JSON.stringify(line)}\n`);
  }

  running(step: string, message?: string): void {
    this.emit({ step, status: 'running', ...(message ? { message } : {}) });
  }

  done(step: string, message?: string): void {
    this.emit({ step, status: 'done', ...(message ? { message } : {}) });
  }

  /** Emit this before failing; never on a path that ends in success. */
  error(step: string, message: string): void {
    this.emit({ step, status: 'error', message });
  }

  /** `{"step":"complete","status":"done","message":…}`. The SDK adds its own after a successful handler anyway. */
  complete(message: string): void {
    this.done('complete', message);
  }
}
