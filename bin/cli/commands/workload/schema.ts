import * as Args from '@oclif/core/args';
import type { PluginInfo } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { sortedJson } from '../../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';

/** The schema part of a plugin's info: what `create --plugin <p> --config …` accepts. */
export function workloadSchema(info: PluginInfo): Record<string, unknown> {
  const keys = ['name', 'version', 'description', 'supported_contract_versions', 'config_options'] as const;
  return Object.fromEntries(keys.filter((k) => info[k] !== undefined).map((k) => [k, info[k]]));
}

/** `dockersnap workload schema <plugin>`: the config options a workload plugin accepts (JSON). */
export default class WorkloadSchemaCommand extends BaseCommand {
  static override summary = "Show a workload plugin's config options (JSON)";
  static override hiddenAliases = ['wl:schema'];
  static override args = { plugin: Args.string({ description: 'workload plugin name', required: true }) };
  static override flags = OUTPUT_FLAGS;
  static override enableJsonFlag = true;
  static override group = 'Access' as const;
  static override errorPrefix = 'workload schema';

  async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(WorkloadSchemaCommand);
    checkOutput(flags.output);
    const schema = workloadSchema(await this.client(flags).plugin(args.plugin));
    this.log(sortedJson(schema));
    return schema;
  }
}
