import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { DsError, errorMessage } from '../../../kernel/errors.js';
import type { AccessBundle } from '../../../plugin-sdk/client/index.js';
import { BaseCommand } from '../base-command.js';
import { fileForPrinting, formatAccess } from '../instance-format.js';
import { OUTPUT_FLAGS, checkOutput } from '../output-flag.js';

/** `dockersnap access <name>`: the connection bundle, as text, JSON or one file's content. */
export default class AccessCommand extends BaseCommand {
  static override summary = "Show an instance's connection bundle (env, files, endpoints)";
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: true }) };
  static override flags = {
    ...OUTPUT_FLAGS,
    file: Flags.string({ helpValue: '<name>', summary: "Print one file's content (takes precedence over -o)." }),
  };
  static override enableJsonFlag = true;
  static override group = 'Access' as const;
  static override errorPrefix = 'access';

  async run(): Promise<AccessBundle | undefined> {
    const { args, flags } = await this.parse(AccessCommand);
    const name = args['instance-name'];
    const client = this.client(flags);
    const output = flags.file === undefined ? checkOutput(flags.output) : 'text';
    await client.refreshPorts(name).catch((err: unknown) => process.stderr.write(`# Warning: refreshing ports: ${errorMessage(err)}\n`));
    const bundle = await client.access(name);
    if (flags.file !== undefined) {
      const file = (bundle.files ?? []).find((f) => f.name === flags.file);
      if (!file) {
        const have = (bundle.files ?? []).map((f) => f.name).join(', ');
        throw new DsError('DS_ERR_NOT_FOUND', `file "${flags.file}" not in access response (have: ${have})`, { details: { file: flags.file } });
      }
      process.stdout.write(fileForPrinting(file.content));
      return undefined;
    }
    if (output === 'text') this.log(formatAccess(name, bundle));
    return bundle;
  }
}
