import * as Args from '@oclif/core/args';
import type { Instance } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';
import { formatInstanceStatus } from '../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../output-flag.js';

/** `dockersnap status <name>` (aliases `info`, `show`). */
export default class StatusCommand extends BaseCommand {
  static override summary = 'Show one instance';
  static override aliases = ['info', 'show'];
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;
  static override errorPrefix = 'getting instance status';

  async run(): Promise<Instance> {
    const { args, flags } = await this.parse(StatusCommand);
    checkOutput(flags.output);
    const instance = await this.client(flags).get(args['instance-name']);
    this.log(formatInstanceStatus(instance));
    return instance;
  }
}
