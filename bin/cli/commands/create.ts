import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { DsError } from '../../../kernel/errors.js';
import type { CreateSpec, Instance } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';
import { applyConfigPairs, readConfigFile } from '../config-values.js';
import { formatCreated } from '../instance-format.js';

/** `dockersnap create <name>` (alias `new`): a new instance, plain or with a workload plugin. */
export default class CreateCommand extends BaseCommand {
  static override summary = 'Create an instance (own dataset, network namespace and dockerd)';
  static override aliases = ['new'];
  static override args = { 'instance-name': Args.string({ description: 'instance name (^[a-z][a-z0-9-]{0,31}$)', required: true }) };
  static override flags = {
    plugin: Flags.string({ helpValue: '<name>', summary: 'Workload plugin to deploy into the instance.' }),
    config: Flags.string({ helpValue: 'key=value', multiple: true, summary: 'Plugin config value (repeatable; true/false, null, numbers and JSON [..]/{..} are typed).' }),
    'config-file': Flags.string({ helpValue: '<path>', summary: 'Plugin config as a YAML (or JSON) mapping; --config values override it.' }),
  };
  static override enableJsonFlag = true;
  static override group = 'Lifecycle' as const;
  static override errorPrefix = 'creating instance';

  async run(): Promise<Instance> {
    const { args, flags } = await this.parse(CreateCommand);
    const pairs = flags.config ?? [];
    if ((pairs.length > 0 || flags['config-file']) && !flags.plugin) {
      throw new DsError('DS_ERR_INVALID_INPUT', '--plugin is required when --config or --config-file is set');
    }
    const spec: CreateSpec = { name: args['instance-name'] };
    if (flags.plugin) {
      const base = flags['config-file'] ? await readConfigFile(flags['config-file']) : {};
      spec.plugin = flags.plugin;
      spec.config = applyConfigPairs(base, pairs);
    }
    const instance = await this.follow(this.client(flags).progress.create(spec));
    this.log(formatCreated(instance));
    return instance;
  }
}
