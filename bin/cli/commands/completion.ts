import * as Args from '@oclif/core/args';
import { Command } from '@oclif/core/command';
import { DsError } from '../../../kernel/errors.js';
import { SHELLS, completionScript, type CompletionCommand, type Shell } from '../completion.js';

/** The commands oclif loaded (core and plugin-contributed), as the completion generator wants them. */
function completionCommands(commands: readonly Command.Loadable[]): CompletionCommand[] {
  return commands
    .filter((c) => !c.hidden && c.id !== '' && !(c.aliases ?? []).includes(c.id))
    .map((c) => ({
      words: c.id.split(':'),
      aliases: (c.aliases ?? []).map((a) => a.split(':')),
      summary: c.summary ?? c.description?.split('\n')[0] ?? '',
      flags: Object.entries(c.flags ?? {})
        .filter(([, f]) => !f.hidden)
        .map(([name, f]) => ({ name, ...(f.char ? { char: f.char } : {}), takesValue: f.type === 'option', summary: f.summary ?? f.description ?? '' })),
      instanceArg: Object.keys(c.args ?? {})[0] === 'instance-name',
    }))
    .sort((a, b) => a.words.join(' ').localeCompare(b.words.join(' ')));
}

/**
 * `dockersnap completion bash|zsh|fish`: prints a completion script generated from the command
 * map — commands, topics, aliases, flags, and instance names (asked from the daemon when
 * completing, via `dockersnap list -q`).
 */
export default class CompletionCommandClass extends Command {
  static override summary = 'Print a shell completion script (bash, zsh or fish)';
  static override description = 'bash: eval "$(dockersnap completion bash)"; zsh: eval "$(dockersnap completion zsh)"; fish: dockersnap completion fish | source';
  static override args = { shell: Args.string({ description: 'bash, zsh or fish', required: true }) };
  static group = 'Admin';

  async run(): Promise<void> {
    const { args } = await this.parse(CompletionCommandClass);
    if (!(SHELLS as readonly string[]).includes(args.shell)) {
      throw new DsError('DS_ERR_INVALID_INPUT', `unsupported shell ${JSON.stringify(args.shell)} (want: ${SHELLS.join(', ')})`, { details: { shell: args.shell } });
    }
    process.stdout.write(completionScript(args.shell as Shell, completionCommands(this.config.commands)));
  }
}
