import type { Command } from '@oclif/core/command';
import { Help } from '@oclif/core/help';
import { GROUPS, type Group } from './groups.js';
import type { PluginCommandSpec } from './plugin-command.js';

type Listed = Command.Loadable & { group?: Group; dsPluginCommand?: PluginCommandSpec };

/** Named args/flags (help wants `name` set on each, as the cached manifest has it). */
function named<T extends object>(entries: Record<string, T>): Record<string, T & { name: string }> {
  return Object.fromEntries(Object.entries(entries).map(([name, v]) => [name, { ...v, name }]));
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/**
 * Command rows as two columns, summaries word-wrapped to `width` (the section indents by two
 * more). oclif's renderList wraps every cell with wrap-ansi, which costs milliseconds per row
 * at every `--help`; the rows here are plain text.
 */
export function renderCommandRows(rows: ReadonlyArray<readonly [string, string]>, width: number): string {
  const left = Math.max(0, ...rows.map(([name]) => name.length));
  const room = Math.max(20, width - 2 - left - 2);
  return rows
    .map(([name, summary]) => {
      const [first = '', ...rest] = wrapWords(summary, room);
      return [`${name.padEnd(left)}  ${first}`.trimEnd(), ...rest.map((l) => `${' '.repeat(left + 2)}${l}`)].join('\n');
    })
    .join('\n');
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
        return [c.id.replaceAll(':', ' '), `${this.summary(c) ?? ''}${from}`] as const;
      });
      this.log(this.section(`${group.toUpperCase()} COMMANDS`, renderCommandRows(rows, this.opts.maxWidth ?? 80)));
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
