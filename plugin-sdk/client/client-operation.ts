import { DsError, toDsError } from '../../kernel/errors.js';
import { streamErrorCode } from './errors.js';
import type { ClientOperation, ProgressEvent } from './types.js';

/**
 * A streamed call as a `ClientOperation`: consumes `source` at once (whether or not anybody
 * iterates), keeps every event for every iterator, and settles `result` by the clients' rule
 * (api-v1 §4.5): the call failed iff an event had status `error`; the last such event is the
 * DsError. A failure before the stream starts (a 4xx, no daemon) becomes that error event too.
 * On success `finish()` supplies the result (e.g. the created instance).
 */
export class StreamedOperation<R> implements ClientOperation<R> {
  readonly result: Promise<R>;
  private readonly events: ProgressEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  private done = false;

  constructor(source: AsyncIterable<ProgressEvent>, finish: () => Promise<R>) {
    this.result = this.pump(source)
      .finally(() => {
        this.done = true;
        this.wake();
      })
      .then((failure) => {
        if (failure) throw failure;
        return finish();
      });
    // Observed by whoever awaits it; an operation watched only through its events must not crash the process.
    this.result.catch(() => undefined);
  }

  private async pump(source: AsyncIterable<ProgressEvent>): Promise<DsError | undefined> {
    try {
      for await (const event of source) this.push(event);
    } catch (err) {
      const e = toDsError(err);
      this.push({ step: 'error', status: 'error', message: e.message, code: e.code });
      return e;
    }
    const failed = this.events.filter((e) => e.status === 'error').pop();
    return failed ? new DsError(streamErrorCode(failed), failed.message ?? `${failed.step} failed`) : undefined;
  }

  private push(event: ProgressEvent): void {
    this.events.push(event);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProgressEvent> {
    let i = 0;
    for (;;) {
      while (i < this.events.length) yield this.events[i++]!;
      if (this.done) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
