import { errorMessage } from '../../kernel/errors.js';
import type { HealthCheck, HealthResponse } from '../../plugin-sdk/capabilities/workload.js';

/** `WorkloadHealthResponse` (api-v1 §8.3). */
export interface WireWorkloadHealth {
  workload_plugin: string;
  healthy: boolean;
  checks?: HealthCheck[];
  contract_version?: string;
  checked_at?: string;
  consecutive_fails?: number;
}

/** The answer for an instance without a workload: the cache is never consulted. */
export const NO_WORKLOAD_HEALTH: WireWorkloadHealth = Object.freeze({
  workload_plugin: '',
  healthy: true,
  checks: [{ name: 'workload', ok: true, message: 'no workload bound' }],
});

/** One synchronous plugin health call, as the route makes it. */
export type HealthProbe = () => Promise<HealthResponse & { contract_version?: string }>;

/**
 * Where `/workload/health` and the daemon health counts get workload health from: the §12
 * poller's cache (`PolledWorkloadHealth`, health-cache.ts: `read` answers from the cache unless
 * `fresh` or a miss, `counts` splits the cached entries by the thresholded flag), or
 * {@link UncachedWorkloadHealth} when polling is disabled.
 */
export interface WorkloadHealthSource {
  read(instance: string, plugin: string, options: { fresh: boolean }, probe: HealthProbe): Promise<WireWorkloadHealth>;
  counts(): { healthy: number; unhealthy: number };
}

/**
 * A synchronous health call in the wire shape. A plugin that fails or times out is not a 500:
 * it is `healthy:false` with the one check `{name:"plugin", ok:false, message:<error>}`.
 */
export async function probeHealth(plugin: string, probe: HealthProbe): Promise<WireWorkloadHealth> {
  try {
    const res = await probe();
    return {
      workload_plugin: plugin,
      healthy: res.healthy === true,
      ...(res.checks && res.checks.length > 0 ? { checks: res.checks } : {}),
      contract_version: res.contract_version ?? '1',
    };
  } catch (err) {
    return { workload_plugin: plugin, healthy: false, checks: [{ name: 'plugin', ok: false, message: errorMessage(err) }], contract_version: '1' };
  }
}

/** No cache: every read calls the plugin; nothing counts as cached (polling disabled). */
export class UncachedWorkloadHealth implements WorkloadHealthSource {
  read(_instance: string, plugin: string, _options: { fresh: boolean }, probe: HealthProbe): Promise<WireWorkloadHealth> {
    return probeHealth(plugin, probe);
  }

  counts(): { healthy: number; unhealthy: number } {
    return { healthy: 0, unhealthy: 0 };
  }
}
