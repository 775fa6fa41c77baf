import type { Logger } from '../../plugin-sdk/index.js';

export interface WatchPolicy {
  /** How often liveness is checked. */
  intervalMs: number;
  /** Restarts allowed within `windowMs` before the watcher gives up on an instance. */
  maxRestarts: number;
  windowMs: number;
  /** First restart delay; doubles per restart in the window, capped at `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export interface WatchHooks {
  /** Whether the instance's daemon is alive now. */
  alive(instance: string): boolean;
  /** Starts the daemon again. Throws on failure. */
  restart(instance: string): Promise<void>;
}

/** What the watcher knows about one instance. */
export interface WatchStatus {
  state: 'watching' | 'restarting' | 'failed';
  restarts: number;
  reason?: string;
}

interface Entry {
  status: WatchStatus;
  history: number[];
  timer?: NodeJS.Timeout;
  inflight?: Promise<void>;
}

/**
 * Notices a dockerd that exits without `stop()` and restarts it with exponential backoff,
 * at most `maxRestarts` times per `windowMs`; then it gives up and reports `failed`. The
 * poll timer is unref'd: watching never keeps the process alive.
 */
export class DockerdWatcher {
  private readonly entries = new Map<string, Entry>();
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly policy: WatchPolicy,
    private readonly hooks: WatchHooks,
    private readonly log: Logger,
  ) {
    this.ticker = setInterval(() => this.checkAll(), policy.intervalMs);
    this.ticker.unref();
  }

  /** Starts (or keeps) watching an instance. */
  watch(instance: string): void {
    const entry = this.entries.get(instance);
    if (entry?.status.state === 'failed') {
      entry.status = { state: 'watching', restarts: entry.status.restarts };
      entry.history = [];
    } else if (!entry) this.entries.set(instance, { status: { state: 'watching', restarts: 0 }, history: [] });
  }

  isWatching(instance: string): boolean {
    return this.entries.has(instance);
  }

  status(instance: string): WatchStatus | undefined {
    const entry = this.entries.get(instance);
    return entry ? { ...entry.status } : undefined;
  }

  /** Checks one instance now (e.g. its child process just exited). */
  poke(instance: string): void {
    const entry = this.entries.get(instance);
    if (entry) this.check(instance, entry);
  }

  /** Stops watching now and cancels a scheduled restart (one under way finishes). */
  forget(instance: string): Promise<void> | undefined {
    const entry = this.entries.get(instance);
    if (!entry) return undefined;
    this.entries.delete(instance);
    clearTimeout(entry.timer);
    return entry.inflight;
  }

  /** Stops watching and waits for a restart already under way. */
  async unwatch(instance: string): Promise<void> {
    await this.forget(instance)?.catch(() => undefined);
  }

  /** Stops all watching (plugin unload). Daemons keep running. */
  async close(): Promise<void> {
    clearInterval(this.ticker);
    await Promise.all([...this.entries.keys()].map((instance) => this.unwatch(instance)));
  }

  private checkAll(): void {
    for (const [instance, entry] of this.entries) this.check(instance, entry);
  }

  private check(instance: string, entry: Entry): void {
    if (entry.status.state !== 'watching' || this.hooks.alive(instance)) return;
    const now = Date.now();
    entry.history = entry.history.filter((at) => now - at < this.policy.windowMs);
    if (entry.history.length >= this.policy.maxRestarts) {
      entry.status = { ...entry.status, state: 'failed', reason: `dockerd exited ${entry.history.length + 1} times within ${this.policy.windowMs / 1000}s; not restarting it again` };
      this.log.error({ instance, restarts: entry.status.restarts }, entry.status.reason!);
      return;
    }
    const delay = Math.min(this.policy.backoffMs * 2 ** entry.history.length, this.policy.maxBackoffMs);
    entry.history.push(now);
    entry.status.state = 'restarting';
    this.log.warn({ instance, delayMs: delay, attempt: entry.history.length }, 'dockerd exited unexpectedly; restarting it');
    entry.timer = setTimeout(() => {
      entry.inflight = this.restart(instance, entry);
    }, delay);
    entry.timer.unref();
  }

  private async restart(instance: string, entry: Entry): Promise<void> {
    try {
      await this.hooks.restart(instance);
      entry.status.restarts += 1;
      this.log.info({ instance, restarts: entry.status.restarts }, 'dockerd restarted');
    } catch (err) {
      entry.status.reason = `restart failed: ${err instanceof Error ? err.message : String(err)}`;
      this.log.error({ instance, err: entry.status.reason }, 'dockerd restart failed');
    } finally {
      if (entry.status.state === 'restarting') entry.status.state = 'watching';
      entry.inflight = undefined;
    }
  }
}
