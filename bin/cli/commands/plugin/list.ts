import type { PluginInfo } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';
import { formatTable } from '../../table.js';

/** ok / skip / error: ours from `state`, or derived from the original's ready/disabled. */
export function pluginState(p: PluginInfo): string {
  return p.state ?? (p.status === 'ready' ? 'ok' : 'error');
}

/** The `plugin list` table: NAME STATUS VERSION SOURCE DESCRIPTION (the reason for non-ok plugins). */
export function formatPluginTable(plugins: readonly PluginInfo[]): string {
  if (plugins.length === 0) return 'No plugins found.';
  const rows = plugins.map((p) => {
    const state = pluginState(p);
    return [p.name, state, p.version || '-', p.source ?? p.kind ?? '-', state === 'ok' ? (p.description ?? '') : (p.error ?? '')];
  });
  return formatTable(['NAME', 'STATUS', 'VERSION', 'SOURCE', 'DESCRIPTION'], rows);
}

/** `dockersnap plugin list` (alias `plugins`). */
export default class PluginListCommand extends BaseCommand {
  static override summary = 'List plugins with their status (ok, skip, error)';
  static override aliases = ['plugins'];
  static override hiddenAliases = ['plugins:list', 'plugin:ls', 'plugins:ls'];
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;
  static override errorPrefix = 'plugin list';

  async run(): Promise<PluginInfo[]> {
    const { flags } = await this.parse(PluginListCommand);
    checkOutput(flags.output);
    const plugins = await this.client(flags).plugins();
    this.log(formatPluginTable(plugins));
    return plugins;
  }
}
