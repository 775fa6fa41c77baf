import { defineCapability } from '../capability.js';
import type { PluginInfo } from '../client/types.js';
import type { WorkloadDriver } from './workload.js';

export type { PluginInfo };

/**
 * The exec workload plugins found in `plugins.dir` (plugin-contract-v1 §2), for the daemon:
 * the listing of `GET /api/v1/plugins`, the re-scan of `POST /api/v1/plugins/reload`, and
 * the driver for any exec plugin by name — including plugins that appeared after boot, which
 * the `workload` capability map cannot show (a builtin that did not change is not set up
 * again on a kernel reload, so its capability keys are those of its first set-up).
 */
export interface WorkloadCatalog {
  /**
   * Every discovered exec plugin, ready or disabled, in file-name order, as the API's
   * `PluginInfo` (api-v1 §8.4). Cheap: no process is started. Never throws.
   */
  list(): PluginInfo[];
  /** One plugin's entry, or `undefined` when no such file was discovered. Never throws. */
  get(name: string): PluginInfo | undefined;
  /**
   * Re-discovers the directory (digest, `schema`, contract check, `init` for every file) and
   * swaps the new set in atomically; concurrent calls are serialised. Not idempotent in
   * effect (it runs `init` again), but safe to repeat.
   * @throws DsError DS_ERR_PLUGIN_LOAD when the directory exists but cannot be read; the
   *   previous set stays in place.
   */
  rescan(): Promise<PluginInfo[]>;
  /**
   * The driver of a ready exec plugin, resolved against the current set on every call.
   * @throws DsError DS_ERR_PLUGIN_NOT_FOUND `plugin "<p>" not found`, or
   *   DS_ERR_PLUGIN_DISABLED `plugin "<p>" is disabled: <reason>`.
   */
  driver(name: string): WorkloadDriver;
}

/** Provided by the `workload-exec` builtin. */
export const workloadCatalogCapability = defineCapability<WorkloadCatalog, 'single'>({
  id: 'workloadCatalog',
  cardinality: 'single',
  description: 'exec workload plugins of plugins.dir: list, rescan and drivers by name',
});
