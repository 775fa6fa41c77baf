import type { PluginInfo } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';
import { pluginRows, pluginState } from './list.js';

/**
 * `Reloaded <n> plugin(s):` and one line per plugin: name (15 columns), status, version (an
 * in-process plugin and its same-named workload type are one line, as in `plugin list`).
 */
export function formatReload(plugins: readonly PluginInfo[]): string {
  const rows = pluginRows(plugins);
  const lines = rows.map((p) => `  ${p.name.padEnd(15)}  ${pluginState(p)}  ${p.version ?? ''}`.trimEnd());
  return [`Reloaded ${rows.length} plugin(s):`, ...lines].join('\n');
}

/** `dockersnap plugin reload`: the daemon rescans its plugin directory. */
export default class PluginReloadCommand extends BaseCommand {
  static override summary = 'Rescan the plugin directory and apply changes without a restart';
  static override hiddenAliases = ['plugins:reload'];
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;
  static override errorPrefix = 'plugin reload';

  async run(): Promise<PluginInfo[]> {
    const { flags } = await this.parse(PluginReloadCommand);
    checkOutput(flags.output);
    const plugins = await this.client(flags).reloadPlugins();
    this.log(formatReload(plugins));
    return plugins;
  }
}
