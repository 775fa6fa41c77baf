import * as Args from '@oclif/core/args';
import type { WorkloadDescription } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { sortedJson } from '../../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';

/** `dockersnap workload describe <name>` (topic alias `wl`): the bound workload, as JSON. */
export default class WorkloadDescribeCommand extends BaseCommand {
  static override summary = "Describe an instance's workload (JSON)";
  static override hiddenAliases = ['wl:describe'];
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Access' as const;
  static override errorPrefix = 'workload describe';

  async run(): Promise<WorkloadDescription> {
    const { args, flags } = await this.parse(WorkloadDescribeCommand);
    checkOutput(flags.output);
    const described = await this.client(flags).workload(args['instance-name']);
    this.log(sortedJson(described));
    return described;
  }
}
