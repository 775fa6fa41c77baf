import * as Flags from '@oclif/core/flags';
import type { Instance } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';
import { formatInstanceList } from '../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../output-flag.js';

/** `dockersnap list` (aliases `ls`, `ps`): every instance with its live status. */
export default class ListCommand extends BaseCommand {
  static override summary = 'List instances';
  static override aliases = ['ls', 'ps'];
  static override flags = {
    ...OUTPUT_FLAGS,
    quiet: Flags.boolean({ char: 'q', default: false, summary: 'Print instance names only, one per line.' }),
  };
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;
  static override errorPrefix = 'listing instances';

  async run(): Promise<Instance[]> {
    const { flags } = await this.parse(ListCommand);
    checkOutput(flags.output);
    const instances = await this.client(flags).list();
    if (flags.quiet) {
      for (const i of instances) this.log(i.name);
    } else this.log(formatInstanceList(instances));
    return instances;
  }
}
