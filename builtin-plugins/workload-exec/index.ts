import { definePlugin, parseDurationMs } from '../../plugin-sdk/index.js';
import { workloadCatalogCapability } from '../../plugin-sdk/capabilities/workload-catalog.js';
import { ExecPluginCatalog } from './catalog.js';
import { ExecRunner } from './runner.js';
import { commandTimeouts } from './timeouts.js';

const PLUGIN_NAME = 'workload-exec';

/**
 * Exec workload plugins (contract v1): discovers the executables of `plugins.dir` at set-up
 * and provides the `workloadCatalog` (listing, `rescan()`, drivers by file name, plugins found
 * after boot included). Exec plugins are deliberately not `workload` capability keys: that map
 * holds the in-process workloads (echo, kind), which win over an exec plugin of the same name,
 * and a reload that changes `plugins.dir` never leaves a stale key behind.
 * An unreadable plugin dir is logged and means no exec plugins, as the original's startup.
 * Closing kills every plugin process still running.
 */
export default definePlugin({
  id: PLUGIN_NAME,
  version: '0.1.0',
  description: 'Exec workload plugins of plugins.dir (contract v1): discovery, runner, catalog',
  provides: [workloadCatalogCapability],
  async setup(ctx) {
    const timeouts = commandTimeouts(ctx.settings.plugins.timeouts);
    // Discovery runs inside setup (plugins load concurrently): a plugin hanging in schema + init
    // must not outlast the setup deadline, or no exec plugin would be available at all.
    const setupMs = parseDurationMs(ctx.settings.plugins.setup_timeout, 30_000);
    if (timeouts.schema + timeouts.init >= setupMs) ctx.log.warn({ schema_ms: timeouts.schema, init_ms: timeouts.init, setup_ms: setupMs }, 'plugins.timeouts.schema + init reach plugins.setup_timeout: one hanging exec plugin can fail workload-exec setup');
    const runner = new ExecRunner({ log: ctx.log, timeouts, signal: ctx.signal });
    const catalog = new ExecPluginCatalog(ctx.settings.plugins.dir, runner, ctx.log);
    try {
      await catalog.rescan();
    } catch (err) {
      ctx.log.warn({ dir: ctx.settings.plugins.dir, err: err instanceof Error ? err.message : String(err) }, 'exec workload plugin discovery failed; no exec plugins');
    }
    ctx.provide(workloadCatalogCapability, catalog);
  },
});
