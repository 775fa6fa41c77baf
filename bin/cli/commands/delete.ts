import * as Args from '@oclif/core/args';
import { BaseCommand } from '../base-command.js';

/** `dockersnap delete <name>` (aliases `rm`, `destroy`): the instance, its snapshots and runtime. */
export default class DeleteCommand extends BaseCommand {
  static override summary = 'Delete an instance with its snapshots';
  static override aliases = ['rm', 'destroy'];
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override group = 'Lifecycle' as const;
  static override errorPrefix = 'deleting instance';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DeleteCommand);
    await this.follow(this.client(flags).progress.delete(args['instance-name']));
  }
}
