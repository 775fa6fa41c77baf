import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import type { WorkloadHealth } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { sortedJson } from '../../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';

/** `dockersnap workload health <name> [--fresh]`: the workload's health, as JSON. */
export default class WorkloadHealthCommand extends BaseCommand {
  static override summary = "Show an instance's workload health (JSON)";
  static override hiddenAliases = ['wl:health'];
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override flags = {
    ...OUTPUT_FLAGS,
    fresh: Flags.boolean({ default: false, summary: 'Ask the plugin now instead of the cached result.' }),
  };
  static override enableJsonFlag = true;
  static override group = 'Access' as const;
  static override errorPrefix = 'workload health';

  async run(): Promise<WorkloadHealth> {
    const { args, flags } = await this.parse(WorkloadHealthCommand);
    checkOutput(flags.output);
    const health = await this.client(flags).workloadHealth(args['instance-name'], { fresh: flags.fresh });
    this.log(sortedJson(health));
    return health;
  }
}
