import * as Args from '@oclif/core/args';
import { BaseCommand } from '../base-command.js';

/** `dockersnap start <name>`. */
export default class StartCommand extends BaseCommand {
  static override summary = "Start an instance's dockerd";
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override group = 'Lifecycle' as const;
  static override errorPrefix = 'starting instance';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StartCommand);
    await this.follow(this.client(flags).progress.start(args['instance-name']));
  }
}
