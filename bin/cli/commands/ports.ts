import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import type { InstancePorts } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';
import { formatPorts } from '../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../output-flag.js';

/** `dockersnap ports <name> [--refresh]`: the host-side forwards of an instance. */
export default class PortsCommand extends BaseCommand {
  static override summary = "Show an instance's forwarded ports";
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override flags = {
    ...OUTPUT_FLAGS,
    refresh: Flags.boolean({ default: false, summary: 'Drop and rescan the forwards first (the instance must be running).' }),
  };
  static override enableJsonFlag = true;
  static override group = 'Access' as const;
  static override errorPrefix = 'ports';

  async run(): Promise<InstancePorts> {
    const { args, flags } = await this.parse(PortsCommand);
    checkOutput(flags.output);
    const client = this.client(flags);
    const ports = flags.refresh ? await client.refreshPorts(args['instance-name']) : await client.ports(args['instance-name']);
    this.log(formatPorts(ports));
    return ports;
  }
}
