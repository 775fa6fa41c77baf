import * as Args from '@oclif/core/args';
import { BaseCommand } from '../base-command.js';

/** `dockersnap restart <name>`. */
export default class RestartCommand extends BaseCommand {
  static override summary = "Stop (if running) and start an instance";
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override group = 'Lifecycle' as const;
  static override errorPrefix = 'restarting instance';

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RestartCommand);
    await this.follow(this.client(flags).progress.restart(args['instance-name']));
  }
}
