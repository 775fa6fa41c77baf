import { DsError } from '../../kernel/errors.js';

/**
 * A FIFO async mutex: callers queue in order and run one at a time. Used so that updates
 * from one process wait in memory instead of polling the lock file.
 */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Runs `fn` once every earlier caller has finished; settles as `fn` does.
   * @param onTimeout builds the error thrown when the wait exceeds `timeoutMs`; a caller
   * that gives up keeps its place in the queue only long enough to pass the turn on.
   */
  async run<T>(fn: () => Promise<T>, timeoutMs: number, onTimeout: () => DsError): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    const outcome = await Promise.race([previous, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      void previous.then(release);
      throw onTimeout();
    }
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
