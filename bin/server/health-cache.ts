import { errorMessage } from '../../kernel/errors.js';
import { rfc3339Nano } from '../../kernel/lifecycle/time.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { probeHealth, type HealthProbe, type WireWorkloadHealth, type WorkloadHealthSource } from './workload-health.js';

/** One instance the poller looks at: its live status, bound plugin and a health call. */
export interface HealthTarget {
  instance: string;
  /** The live status; only `running` instances are polled. */
  status: 'running' | 'stopped' | 'error' | 'busy';
  /** The bound workload plugin, or undefined/'' without one. */
  plugin: string | undefined;
  probe: HealthProbe;
}

/** The timer functions the poller uses (a fake clock in tests). */
export interface PollTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HealthCacheOptions {
  /** Poll interval in ms (> 0; a disabled poller is {@link UncachedWorkloadHealth}). */
  intervalMs: number;
  /** `plugins.health_failure_threshold`; values < 1 mean 3. */
  threshold: number;
  /** Every instance with its live status (the kernel's `instances.list()`, mapped). */
  targets: () => Promise<HealthTarget[]>;
  log?: Logger;
  /** Default: `Date.now` based. */
  now?: () => Date;
  /** Default: the global timers, unref'd. */
  timers?: PollTimers;
}

/** A cache entry (plugin-contract §12). */
export interface HealthEntry {
  plugin: string;
  /** The last raw response (wire shape, `healthy` as the plugin said). */
  last: WireWorkloadHealth;
  checked_at: string;
  consecutive_fails: number;
  /** `consecutive_fails < threshold`. */
  healthy: boolean;
}

const NODE_TIMERS: PollTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * The workload health poller and cache of plugin-contract §12. `start()` polls at once, then
 * `intervalMs` after each poll ends. A poll calls `health` for every running instance with a
 * workload, one at a time, and drops the entries of every other instance (stopped,
 * workload-less, deleted). `consecutive_fails` counts `healthy:false` answers (a plugin
 * fault included) and resets on `healthy:true`; the cached flag is `consecutive_fails <
 * threshold`. Reads with `fresh` or without an entry call the plugin synchronously and return
 * the raw answer without storing it. Memory only.
 */
export class PolledWorkloadHealth implements WorkloadHealthSource {
  private readonly entries = new Map<string, HealthEntry>();
  private readonly threshold: number;
  private readonly timers: PollTimers;
  private readonly now: () => Date;
  private timer: unknown;
  private polling: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: HealthCacheOptions) {
    this.threshold = options.threshold >= 1 ? Math.floor(options.threshold) : 3;
    this.timers = options.timers ?? NODE_TIMERS;
    this.now = options.now ?? (() => new Date());
  }

  /** Runs the first poll now and schedules the next ones. Idempotent. */
  start(): void {
    if (this.closed || this.polling || this.timer !== undefined) return;
    this.tick();
  }

  /** Stops the timer and waits for a poll in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One full poll (also what the timer runs). Never throws. */
  async pollOnce(): Promise<void> {
    let targets: HealthTarget[];
    try {
      targets = await this.options.targets();
    } catch (err) {
      this.options.log?.warn({ err: errorMessage(err) }, 'workload health poll: listing instances failed');
      return;
    }
    const polled = targets.filter((t) => t.status === 'running' && t.plugin);
    const busy = new Set(targets.filter((t) => t.status === 'busy').map((t) => t.instance));
    const keep = new Set(polled.map((t) => t.instance));
    for (const name of [...this.entries.keys()]) if (!keep.has(name) && !busy.has(name)) this.entries.delete(name);
    for (const t of polled) {
      if (this.closed) return;
      const res = await probeHealth(t.plugin!, t.probe);
      const prev = this.entries.get(t.instance);
      const fails = res.healthy ? 0 : (prev && prev.plugin === t.plugin ? prev.consecutive_fails : 0) + 1;
      this.entries.set(t.instance, { plugin: t.plugin!, last: res, checked_at: rfc3339Nano(this.now()), consecutive_fails: fails, healthy: fails < this.threshold });
    }
  }

  /** The entry of an instance, if any (for tests and diagnostics). */
  entry(instance: string): Readonly<HealthEntry> | undefined {
    return this.entries.get(instance);
  }

  async read(instance: string, plugin: string, options: { fresh: boolean }, probe: HealthProbe): Promise<WireWorkloadHealth> {
    const e = this.entries.get(instance);
    if (options.fresh || !e || e.plugin !== plugin) return probeHealth(plugin, probe);
    return { ...e.last, healthy: e.healthy, checked_at: e.checked_at, consecutive_fails: e.consecutive_fails };
  }

  counts(): { healthy: number; unhealthy: number } {
    let healthy = 0;
    for (const e of this.entries.values()) if (e.healthy) healthy += 1;
    return { healthy, unhealthy: this.entries.size - healthy };
  }

  private tick(): void {
    this.timer = undefined;
    this.polling = this.pollOnce().finally(() => {
      this.polling = undefined;
      if (!this.closed) this.timer = this.timers.setTimeout(() => this.tick(), this.options.intervalMs);
    });
  }
}
