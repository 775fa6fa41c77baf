import type { DockersnapConfig } from './config/types.js';
import { parseDurationMs } from './config/duration.js';
import { createExec } from './exec.js';
import { createLogger } from './logger.js';
import { builtinPluginDir } from './plugins/discovery.js';
import type { Lease } from './plugins/generation.js';
import { PluginHost, type ReloadReport } from './plugins/host.js';
import type { PluginStatus } from './plugins/status.js';
import type { AnyPluginDefinition } from '../plugin-sdk/define-plugin.js';
import type { Logger } from '../plugin-sdk/logger.js';
import { Instances } from './lifecycle/instances.js';

export interface KernelOptions {
  settings: DockersnapConfig;
  log?: Logger;
  /** Load the builtin plugins (default true). Kernel tests boot with none. */
  builtins?: boolean;
  /** Override the user plugin dir (`null`: none). Default `settings.plugins.dir`. */
  pluginDir?: string | null;
  /** In-memory plugins, set up alongside discovered ones. */
  plugins?: readonly AnyPluginDefinition[];
}

/**
 * The microkernel: it owns the plugin host and (in lifecycle/) the instance operations.
 * It imports nothing from builtin-plugins/ — builtins are discovered like any plugin.
 */
export class Kernel {
  /** The typed lifecycle API (create, snapshot, revert, clone, …). */
  readonly instances: Instances;

  private constructor(
    readonly settings: Readonly<DockersnapConfig>,
    readonly log: Logger,
    readonly host: PluginHost,
  ) {
    this.instances = new Instances(host, settings, log);
  }

  /** Boots the plugin host. @throws DsError DS_ERR_PLUGIN_REQUIRED */
  static async start(options: KernelOptions): Promise<Kernel> {
    const log = options.log ?? createLogger({ level: options.settings.log_level });
    const host = await PluginHost.boot({
      settings: options.settings,
      log,
      makeExec: createExec,
      builtinDir: options.builtins === false ? null : builtinPluginDir(),
      userDir: options.pluginDir === undefined ? options.settings.plugins.dir : options.pluginDir,
      inline: options.plugins ?? [],
      setupTimeoutMs: parseDurationMs(options.settings.plugins.setup_timeout, 30_000),
      hookTimeoutMs: parseDurationMs(options.settings.plugins.hook_timeout, 60_000),
    });
    return new Kernel(options.settings, log, host);
  }

  /** Leases the current plugin generation for one operation; always `release()` it. */
  acquire(): Lease {
    return this.host.acquire();
  }

  plugins(): PluginStatus[] {
    return this.host.status();
  }

  reload(): Promise<ReloadReport> {
    return this.host.reload();
  }

  /** Finishes in-flight operations (refusing new ones), then closes plugins LIFO. */
  async close(): Promise<void> {
    await this.instances.drain();
    await this.host.close();
  }
}
