import * as Args from '@oclif/core/args';
import type { Instance } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';

/** `dockersnap clone <name> <label> <new-name>`: a new instance from a snapshot. */
export default class CloneCommand extends BaseCommand {
  static override summary = 'Clone a snapshot into a new instance';
  static override args = {
    'instance-name': Args.string({ description: 'source instance', required: true }),
    'snapshot-label': Args.string({ description: 'snapshot of the source', required: true }),
    'new-instance-name': Args.string({ description: 'name of the new instance', required: true }),
  };
  static override enableJsonFlag = true;
  static override group = 'State' as const;
  static override errorPrefix = 'cloning instance';

  async run(): Promise<Instance> {
    const { args, flags } = await this.parse(CloneCommand);
    return this.follow(this.client(flags).progress.clone(args['instance-name'], args['snapshot-label'], args['new-instance-name']));
  }
}
