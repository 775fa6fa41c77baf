import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { DsError, errorMessage } from '../../../kernel/errors.js';
import { toCliError, withPrefix } from '../errors.js';
import { accessDir, withAccessDir, writeAccessFiles } from '../access-files.js';
import { BaseCommand } from '../base-command.js';
import { endpointLine } from '../instance-format.js';
import { exportLines, isFish, unsetLines } from '../shell.js';

/**
 * `dockersnap use <name>`: prints shell exports for `eval $(dockersnap use <name>)` — the
 * instance's DOCKER_HOST and its workload's variables — after writing the bundle's files to
 * `~/.dockersnap/<name>/`. The human summary goes to stderr (`# …`), so eval sees only exports.
 */
export default class UseCommand extends BaseCommand {
  static override summary = 'Print shell exports pointing docker (and kubectl …) at an instance';
  static override description = 'Use as: eval $(dockersnap use <instance-name>). With --unset, prints the commands that undo it.';
  static override args = { 'instance-name': Args.string({ description: 'instance name', required: false }) };
  static override flags = {
    unset: Flags.boolean({ char: 'u', default: false, summary: 'Print commands that unset the variables (no daemon needed).' }),
  };
  static override group = 'Access' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(UseCommand);
    const fish = isFish(process.env);
    if (flags.unset) {
      process.stdout.write(`${unsetLines(fish).join('\n')}\n`);
      return;
    }
    const name = args['instance-name'];
    if (!name) throw new DsError('DS_ERR_INVALID_INPUT', 'instance name required (or use --unset)');
    const client = this.client(flags);
    const instance = await prefixed('getting instance', client.get(name));
    if (instance.status !== 'running') throw new DsError('DS_ERR_CONFLICT', `instance "${name}" is ${instance.status} (must be running)`, { details: { instance: name, status: instance.status } });
    await client.refreshPorts(name).catch((err: unknown) => process.stderr.write(`# Warning: refreshing ports: ${errorMessage(err)}\n`));
    const bundle = await prefixed('getting access bundle', client.access(name));
    const dir = accessDir(name);
    const files = await prefixed('writing access files', writeAccessFiles(bundle, dir));
    const env = Object.fromEntries(Object.entries(bundle.env ?? {}).map(([k, v]) => [k, withAccessDir(v, dir)]));
    process.stdout.write(`${exportLines(env, fish).join('\n')}\n`);
    const summary = [`Configured for instance "${name}"`];
    if (files.length > 0) summary.push('Files:', ...files.map((f) => `  ${f}`));
    const endpoints = bundle.endpoints ?? [];
    if (endpoints.length > 0) summary.push('Endpoints:', ...endpoints.map((e) => `  ${endpointLine(e, false)}`));
    process.stderr.write(`${summary.map((l) => `# ${l}`).join('\n')}\n`);
  }
}

/** The step's failure with the original's prefix (state-and-config §3.2: `use`). */
async function prefixed<T>(prefix: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    throw withPrefix(toCliError(err), prefix);
  }
}
