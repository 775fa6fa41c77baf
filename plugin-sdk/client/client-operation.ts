import { DsError, toDsError } from '../../kernel/errors.js';
import { streamErrorCode } from './errors.js';
import { ReplayQueue } from '../replay-queue.js';
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
  private readonly queue = new ReplayQueue<ProgressEvent>();

  constructor(source: AsyncIterable<ProgressEvent>, finish: () => Promise<R>) {
    this.result = this.pump(source)
      .finally(() => this.queue.close())
      .then((failure) => {
        if (failure) throw failure;
        return finish();
      });
    // Observed by whoever awaits it; an operation watched only through its events must not crash the process.
    this.result.catch(() => undefined);
  }

  private async pump(source: AsyncIterable<ProgressEvent>): Promise<DsError | undefined> {
    try {
      for await (const event of source) this.queue.push(event);
    } catch (err) {
      const e = toDsError(err);
      this.queue.push({ step: 'error', status: 'error', message: e.message, code: e.code });
      return e;
    }
    const failed = this.queue.history.filter((e) => e.status === 'error').pop();
    return failed ? new DsError(streamErrorCode(failed), failed.message ?? `${failed.step} failed`) : undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<ProgressEvent> {
    return this.queue[Symbol.asyncIterator]();
  }
}
