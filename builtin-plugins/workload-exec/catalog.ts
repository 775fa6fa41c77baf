import { DsError, type Logger, type WorkloadDriver } from '../../plugin-sdk/index.js';
import type { PluginInfo, WorkloadCatalog } from '../../plugin-sdk/capabilities/workload-catalog.js';
import { loadExecPlugin, scanPluginDir, type ExecPluginEntry } from './discovery.js';
import { ExecWorkloadDriver } from './exec-driver.js';
import type { ExecRunner } from './runner.js';

/** An entry as the API's `PluginInfo` (api-v1 §8.4) plus our `state`/`kind`. */
export function pluginInfoOf(e: ExecPluginEntry): PluginInfo {
  const s = e.schema;
  return {
    name: e.name,
    status: e.status,
    ...(e.error ? { error: e.error } : {}),
    ...(s?.plugin_version ? { version: s.plugin_version } : {}),
    ...(s?.description ? { description: s.description } : {}),
    ...(s && s.supported_contract_versions.length > 0 ? { supported_contract_versions: [...s.supported_contract_versions] } : {}),
    ...(s?.config_options && s.config_options.length > 0 ? { config_options: s.config_options.map((o) => ({ ...o })) } : {}),
    ...(e.schemaDigest ? { schema_digest: e.schemaDigest } : {}),
    ...(e.binaryDigest ? { binary_digest: e.binaryDigest } : {}),
    state: e.status === 'ready' ? 'ok' : 'error',
    kind: 'exec',
  };
}

/**
 * The set of exec plugins of one directory, swapped atomically by {@link rescan}. Drivers
 * are stable objects per name that look their plugin up here on every call, so a rescan
 * changes what they run without re-registering anything.
 */
export class ExecPluginCatalog implements WorkloadCatalog {
  private entries: ReadonlyMap<string, ExecPluginEntry> = new Map();
  private readonly drivers = new Map<string, ExecWorkloadDriver>();
  private scanning: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly runner: ExecRunner,
    private readonly log: Logger,
  ) {}

  list(): PluginInfo[] {
    return [...this.entries.values()].map(pluginInfoOf);
  }

  get(name: string): PluginInfo | undefined {
    const e = this.entries.get(name);
    return e ? pluginInfoOf(e) : undefined;
  }

  /** The current entry (ready or disabled), or `undefined`. */
  entry(name: string): ExecPluginEntry | undefined {
    return this.entries.get(name);
  }

  /** Names of the ready plugins, in file-name order. */
  readyNames(): string[] {
    return [...this.entries.values()].filter((e) => e.status === 'ready').map((e) => e.name);
  }

  /**
   * The ready entry for a call. @throws DsError DS_ERR_PLUGIN_NOT_FOUND / DS_ERR_PLUGIN_DISABLED
   * with the original's texts.
   */
  resolve(name: string): ExecPluginEntry {
    const e = this.entries.get(name);
    if (!e) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`, { details: { plugin: name } });
    if (e.status !== 'ready') throw new DsError('DS_ERR_PLUGIN_DISABLED', `plugin "${name}" is disabled: ${e.error ?? 'unknown reason'}`, { details: { plugin: name, reason: e.error } });
    return e;
  }

  driver(name: string): WorkloadDriver {
    this.resolve(name);
    return this.driverFor(name);
  }

  /** The stable driver object of a name (whether or not it is ready now). */
  driverFor(name: string): ExecWorkloadDriver {
    let d = this.drivers.get(name);
    if (!d) {
      d = new ExecWorkloadDriver(name, this, this.runner, this.log);
      this.drivers.set(name, d);
    }
    return d;
  }

  rescan(): Promise<PluginInfo[]> {
    const run = this.scanning.then(() => this.scanNow());
    this.scanning = run.catch(() => undefined);
    return run;
  }

  private async scanNow(): Promise<PluginInfo[]> {
    const targets = await scanPluginDir(this.dir, this.log);
    // Loaded concurrently (each under its own schema/init deadlines), listed in name order.
    const loaded = await Promise.all(targets.map((t) => loadExecPlugin(t, this.runner)));
    for (const e of loaded) {
      if (e.status === 'disabled') this.log.warn({ plugin: e.name, path: e.path, err: e.error }, 'exec workload plugin disabled');
      else this.log.info({ plugin: e.name, version: e.schema?.plugin_version }, 'exec workload plugin ready');
    }
    this.entries = new Map(loaded.map((e) => [e.name, e]));
    return this.list();
  }
}
