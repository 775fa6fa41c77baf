import * as Args from '@oclif/core/args';
import type { PluginInfo } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';

/** `dockersnap plugin describe <name>`: one ready plugin as 2-space JSON. */
export default class PluginDescribeCommand extends BaseCommand {
  static override summary = 'Show one ready plugin as JSON';
  static override hiddenAliases = ['plugins:describe'];
  static override args = { name: Args.string({ description: 'plugin name', required: true }) };
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Admin' as const;
  static override errorPrefix = 'plugin describe';

  async run(): Promise<PluginInfo> {
    const { args, flags } = await this.parse(PluginDescribeCommand);
    checkOutput(flags.output);
    const info = await this.client(flags).plugin(args.name);
    this.log(JSON.stringify(info, null, 2));
    return info;
  }
}
