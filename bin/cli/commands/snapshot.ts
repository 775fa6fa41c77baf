import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { BaseCommand } from '../base-command.js';
import { parseTags } from '../config-values.js';

/** `dockersnap snapshot <name> <label>` (alias `snap`). */
export default class SnapshotCommand extends BaseCommand {
  static override summary = 'Snapshot an instance (its containers pause for the snapshot)';
  static override aliases = ['snap'];
  static override args = {
    'instance-name': Args.string({ description: 'instance name', required: true }),
    label: Args.string({ description: 'snapshot label', required: true }),
  };
  static override flags = {
    tag: Flags.string({ helpValue: 'key=value', multiple: true, summary: 'Tag stored with the snapshot (repeatable; no short form, -t is the token).' }),
  };
  static override group = 'State' as const;
  static override errorPrefix = 'creating snapshot';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SnapshotCommand);
    const tags = parseTags(flags.tag ?? []);
    await this.follow(this.client(flags).progress.snapshot(args['instance-name'], args.label, { tags }));
  }
}
