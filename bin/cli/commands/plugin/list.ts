import type { PluginInfo } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';
import { formatTable } from '../../table.js';

/** ok / skip / error: ours from `state`, or derived from the original's ready/disabled. */
export function pluginState(p: PluginInfo): string {
  return p.state ?? (p.status === 'ready' ? 'ok' : 'error');
}

/**
 * What kind of plugin a row is: `exec` (an executable speaking contract v1), `in-process` (a
 * plugin folder the daemon imports), `in-process workload` (a workload type an in-process
 * plugin provides); `-` when the daemon does not say (the original's entries).
 */
export function pluginKind(p: PluginInfo): string {
  if (p.kind === 'kernel') return 'in-process';
  if (p.kind === 'workload') return 'in-process workload';
  return p.kind ?? '-';
}

/** Where a plugin comes from: `builtin` or `dir` (exec plugins always live in the plugin dir). */
function pluginSource(p: PluginInfo): string {
  return p.source ?? (p.kind === 'exec' ? 'dir' : '-');
}

/**
 * The rows of the human output: an in-process plugin and the workload type it provides under
 * the same name are one row (`in-process workload`, with the plugin's source and status); the
 * JSON output keeps both entries.
 */
export function pluginRows(plugins: readonly PluginInfo[]): PluginInfo[] {
  const workloads = new Map(plugins.filter((p) => p.kind === 'workload').map((p) => [p.name, p]));
  const merged = new Set<string>();
  const rows = plugins.map((p) => {
    const w = p.kind === 'kernel' ? workloads.get(p.name) : undefined;
    if (!w) return p;
    merged.add(p.name);
    return { ...p, kind: 'workload' };
  });
  return rows.filter((p, i) => !(plugins[i]!.kind === 'workload' && merged.has(p.name)));
}

/** The `plugin list` table: NAME STATUS VERSION SOURCE KIND DESCRIPTION (the reason for non-ok plugins). */
export function formatPluginTable(plugins: readonly PluginInfo[]): string {
  if (plugins.length === 0) return 'No plugins found.';
  const rows = pluginRows(plugins).map((p) => {
    const state = pluginState(p);
    return [p.name, state, p.version || '-', pluginSource(p), pluginKind(p), state === 'ok' ? (p.description ?? '') : (p.error ?? '')];
  });
  return formatTable(['NAME', 'STATUS', 'VERSION', 'SOURCE', 'KIND', 'DESCRIPTION'], rows);
}

/** `dockersnap plugin list` (alias `plugins`): kernel (in-process) and exec plugins, sorted by name. */
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
