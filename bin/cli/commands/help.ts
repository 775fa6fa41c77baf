import * as Args from '@oclif/core/args';
import { Command } from '@oclif/core/command';
import { loadHelpClass } from '@oclif/core/help';

/** `dockersnap help [COMMAND]`: the same help as `--help`. */
export default class HelpCommand extends Command {
  static override summary = 'Show help for dockersnap or one of its commands';
  static override strict = false;
  static override args = { command: Args.string({ description: 'command to show help for', required: false }) };
  static group = 'Admin';

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(argv as string[]);
  }
}
