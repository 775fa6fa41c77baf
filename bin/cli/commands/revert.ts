import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../base-command.js';

/** `dockersnap revert <name> <label>` (alias `rollback`). */
export default class RevertCommand extends BaseCommand {
  static override summary = 'Revert an instance to a snapshot';
  static override aliases = ['rollback'];
  static override args = {
    'instance-name': Args.string({ description: 'instance name', required: true }),
    label: Args.string({ description: 'snapshot label', required: true }),
  };
  static override flags = {
    force: Flags.boolean({ char: 'f', default: false, summary: 'Also destroy snapshots newer than the label (refused without it).' }),
  };
  static override group = 'State' as const;
  static override errorPrefix = 'reverting instance';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RevertCommand);
    await this.follow(this.client(flags).progress.revert(args['instance-name'], args.label, { force: flags.force }));
  }
}
