import * as Args from '@oclif/core/args';
import { DsError } from '../../../../kernel/errors.js';
import type { DockersnapClient, PluginInfo } from '../../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../../base-command.js';
import { sortedJson } from '../../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../../output-flag.js';

/** The schema part of a plugin's info: what `create --plugin <p> --config …` accepts. */
export function workloadSchema(info: PluginInfo): Record<string, unknown> {
  const keys = ['name', 'version', 'description', 'supported_contract_versions', 'config_options'] as const;
  return Object.fromEntries(keys.filter((k) => info[k] !== undefined).map((k) => [k, info[k]]));
}

/**
 * The workload plugin `name`: an exec plugin or an in-process workload type. An in-process
 * plugin may share its name with the workload type it provides; `GET /plugins/<name>` then
 * answers the plugin, so the workload entry is taken from the list.
 * @throws DsError DS_ERR_PLUGIN_NOT_FOUND for an unknown or disabled plugin, or one that provides no workload.
 */
export async function findWorkloadPlugin(client: Pick<DockersnapClient, 'plugin' | 'plugins'>, name: string): Promise<PluginInfo> {
  const info = await client.plugin(name);
  if (info.kind !== 'kernel') return info;
  const workload = (await client.plugins()).find((p) => p.name === name && p.kind !== 'kernel' && p.status === 'ready');
  if (workload) return workload;
  throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" provides no workload type; \`dockersnap plugin list\` shows workload plugins (KIND exec or in-process workload)`, {
    details: { plugin: name },
  });
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
    const schema = workloadSchema(await findWorkloadPlugin(this.client(flags), args.plugin));
    this.log(sortedJson(schema));
    return schema;
  }
}
