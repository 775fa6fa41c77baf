import * as Args from '@oclif/core/args';
import { BaseCommand } from '../base-command.js';

/** `dockersnap stop <name>`. */
export default class StopCommand extends BaseCommand {
  static override summary = "Stop an instance's containers and dockerd";
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override group = 'Lifecycle' as const;
  static override errorPrefix = 'stopping instance';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StopCommand);
    await this.follow(this.client(flags).progress.stop(args['instance-name']));
  }
}
