import type { Command } from '@oclif/core/command';
import { Help } from '@oclif/core/help';
import { GROUPS, type Group } from './groups.js';
import type { PluginCommandSpec } from './plugin-command.js';

type Listed = Command.Loadable & { group?: Group; dsPluginCommand?: PluginCommandSpec };

/** Named args/flags (help wants `name` set on each, as the cached manifest has it). */
function named<T extends object>(entries: Record<string, T>): Record<string, T & { name: string }> {
  return Object.fromEntries(Object.entries(entries).map(([name, v]) => [name, { ...v, name }]));
}

/**
 * dockersnap's help: the root help lists commands in the original's groups and order
 * (Lifecycle, State, Access, Admin — state-and-config §3.1), then plugin commands. A plugin
 * command's own help loads its module (only then) to show its real args and flags.
 */
export default class DockersnapHelp extends Help {
  protected override async showRootHelp(): Promise<void> {
    this.log(this.formatRoot());
    this.log('');
    const commands = (this.sortedCommands as Listed[]).filter((c) => c.id && !c.aliases?.includes(c.id));
    for (const group of GROUPS) {
      const inGroup = commands.filter((c) => (c.group ?? 'Admin') === group);
      if (inGroup.length === 0) continue;
      const rows = inGroup.map((c) => {
        const from = c.dsPluginCommand ? ` (plugin ${c.dsPluginCommand.pluginId})` : '';
        return [c.id.replaceAll(':', ' '), `${this.summary(c) ?? ''}${from}`];
      });
      this.log(this.section(`${group.toUpperCase()} COMMANDS`, this.renderList(rows, { indentation: 2, spacer: '\n', stripAnsi: this.opts.stripAnsi })));
      this.log('');
    }
  }

  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    const spec = (command as Listed).dsPluginCommand;
    if (!spec) return super.showCommandHelp(command);
    const { loadCommandDefinition, toOclifArgs, toOclifFlags } = await import('./plugin-command.js');
    const def = await loadCommandDefinition(spec);
    const described = {
      ...command,
      description: def.description ?? command.description,
      strict: true,
      args: named(toOclifArgs(def.args)),
      flags: { ...command.flags, ...named(toOclifFlags(def.flags) as Record<string, object>) },
    } as Command.Loadable;
    return super.showCommandHelp(described);
  }
}
