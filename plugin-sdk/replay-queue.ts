/**
 * An append-only event list that any number of async iterators replay from the start and
 * follow until it is closed. Shared by kernel operations and the client's streamed calls,
 * so both hand out progress the same way. Tiny and dependency-free (the CLI bundle uses it).
 */
export class ReplayQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  /** Appends an item and wakes every waiting iterator. */
  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Ends iteration once every iterator has seen all items. Idempotent. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Everything pushed so far, in order. */
  get history(): readonly T[] {
    return this.items;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let i = 0;
    for (;;) {
      while (i < this.items.length) yield this.items[i++]!;
      if (this.closed) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
