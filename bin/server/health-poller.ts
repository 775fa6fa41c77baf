import type { DockersnapConfig } from '../../kernel/config/types.js';
import { parseGoDuration } from '../../kernel/config/duration.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { PolledWorkloadHealth, type HealthTarget } from './health-cache.js';
import { withWorkload } from './instance-workload.js';
import { UncachedWorkloadHealth, type WorkloadHealthSource } from './workload-health.js';

const DEFAULT_INTERVAL_MS = 30_000;

/**
 * `plugins.health_poll_interval` in ms (plugin-contract §12): empty or not a Go duration ⇒
 * 30 s; `0s` or negative ⇒ 0 (poller disabled).
 */
export function healthPollIntervalMs(text: string | undefined): number {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return DEFAULT_INTERVAL_MS;
  try {
    return Math.max(0, parseGoDuration(trimmed));
  } catch {
    return DEFAULT_INTERVAL_MS;
  }
}

/** The workload health source of a daemon and how to stop it. */
export interface DaemonWorkloadHealth {
  source: WorkloadHealthSource;
  /** Polls now and then every interval (no-op when polling is disabled). */
  start(): void;
  /** Stops the timer and waits for a poll in flight. Idempotent. */
  close(): Promise<void>;
}

/** Every instance of the kernel as a poll target whose probe is the `/workload/health` call. */
function kernelTargets(kernel: Kernel): () => Promise<HealthTarget[]> {
  return async () =>
    (await kernel.instances.list()).map((view) => ({
      instance: view.name,
      status: view.status,
      plugin: view.workload_plugin,
      probe: () => withWorkload(kernel, view, 'health', ({ driver, input }) => driver.health(input)),
    }));
}

/**
 * The §12 poller and cache over a kernel's instances, per `plugins.health_poll_interval` and
 * `plugins.health_failure_threshold`; with polling disabled, every read is a synchronous call
 * and the daemon health counts are 0.
 */
export function daemonWorkloadHealth(kernel: Kernel, settings: Readonly<DockersnapConfig>, log: Logger): DaemonWorkloadHealth {
  const intervalMs = healthPollIntervalMs(settings.plugins.health_poll_interval);
  if (intervalMs <= 0) {
    log.info('workload health polling disabled (plugins.health_poll_interval <= 0)');
    return { source: new UncachedWorkloadHealth(), start: () => undefined, close: async () => undefined };
  }
  const cache = new PolledWorkloadHealth({ intervalMs, threshold: settings.plugins.health_failure_threshold, targets: kernelTargets(kernel), log });
  return { source: cache, start: () => cache.start(), close: () => cache.close() };
}
