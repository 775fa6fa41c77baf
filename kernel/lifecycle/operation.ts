import { randomUUID } from 'node:crypto';
import { DsError, toDsError } from '../errors.js';
import type { OperationKind } from '../hooks.js';
import type { ProgressEvent } from '../../plugin-sdk/capabilities/workload.js';
import { ReplayQueue } from '../../plugin-sdk/replay-queue.js';

/**
 * A running instance operation: an async-iterable of progress events plus the result.
 * The work runs to completion (or clean rollback) whatever the consumer does — a client
 * that stops reading or disconnects does not cancel it.
 */
export class Operation<R> implements AsyncIterable<ProgressEvent> {
  readonly id = randomUUID();
  readonly result: Promise<R>;
  private readonly queue = new ReplayQueue<ProgressEvent>();

  constructor(
    readonly kind: OperationKind,
    readonly instance: string,
    work: (op: Operation<R>) => Promise<R>,
  ) {
    this.result = Promise.resolve()
      .then(() => work(this))
      .catch((err: unknown) => {
        const e = toDsError(err);
        this.emit({ step: 'error', status: 'error', message: e.message });
        throw e;
      })
      .finally(() => this.queue.close());
    // The result is observed by whoever awaits it; never crash the process on an unobserved failure.
    this.result.catch(() => undefined);
  }

  /** Records a progress event (kept for every iterator, in order). */
  emit(event: ProgressEvent): void {
    this.queue.push(event.message === undefined || event.message === '' ? { step: event.step, status: event.status } : event);
  }

  /** Emits `running`, runs `fn`, emits `done` (or `error` and rethrows). */
  async step<T>(step: string, running: string, done: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.emit({ step, status: 'running', message: running });
    try {
      const out = await fn();
      this.emit(done === undefined ? { step, status: 'done' } : { step, status: 'done', message: done });
      return out;
    } catch (err) {
      this.emit({ step, status: 'error', message: toDsError(err).message });
      throw err;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ProgressEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** All events so far (for tests and non-streaming callers). */
  get history(): readonly ProgressEvent[] {
    return this.queue.history;
  }
}

/** Per-instance exclusive locks: a second operation on a busy instance fails at once. */
export class InstanceLocks {
  private readonly held = new Map<string, { kind: OperationKind; since: number }>();

  /** @throws DsError DS_ERR_BUSY naming the operation in progress. */
  acquire(names: readonly string[], kind: OperationKind): () => void {
    for (const name of names) {
      const h = this.held.get(name);
      if (h) {
        throw new DsError('DS_ERR_BUSY', `instance "${name}" is busy: a ${h.kind} started ${Math.round((Date.now() - h.since) / 1000)}s ago is still running; try again when it has finished`, {
          details: { instance: name, operation: h.kind },
        });
      }
    }
    for (const name of names) this.held.set(name, { kind, since: Date.now() });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const name of names) this.held.delete(name);
    };
  }

  busy(name: string): OperationKind | undefined {
    return this.held.get(name)?.kind;
  }
}
