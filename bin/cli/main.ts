import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '@oclif/core/command';
import { Plugin } from '@oclif/core/config';
import { flush } from '@oclif/core/flush';
import type { LoadOptions, Plugin as OclifPlugin, PJSON } from '@oclif/core/interfaces';
import { run } from '@oclif/core/run';
import { settings } from '@oclif/core/settings';
import { DsError } from '../../kernel/errors.js';
import { hoistGlobalFlags, protectPassthrough } from './argv.js';
import { buildVersion } from './build-version.js';
import { reportError, unknownCommandOf } from './errors.js';
import { PLUGIN_COMMANDS, pluginCacheDir, pluginCommandsPlugin, pluginDir, scanPluginCommands } from './plugin-commands.js';
import { suggestCommands } from './suggest.js';

/** Options of `runCli`. */
export interface CliOptions {
  /**
   * Absolute path of the single-file CLI bundle this code runs from, if any. The bundle exports
   * `COMMANDS` and the help class too, so oclif is pointed at it instead of the plain modules
   * (which would load a second copy of oclif).
   */
  bundle?: string;
}

/** The package root: the nearest folder above this module with a package.json. */
function packageRootDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function readPjson(root: string, bundle: string | undefined): PJSON {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PJSON;
  if (bundle === undefined) return pjson;
  const target = `./${relative(root, bundle)}`;
  const commands = pjson.oclif.commands as { target?: string };
  return { ...pjson, oclif: { ...pjson.oclif, commands: { ...commands, target }, helpClass: target } } as PJSON;
}

/** Every id and topic prefix of the core commands: names a plugin command may not take. */
function reservedIds(core: OclifPlugin): Set<string> {
  const out = new Set<string>();
  for (const id of core.commands.flatMap((c) => [c.id, ...(c.aliases ?? []), ...(c.hiddenAliases ?? [])])) {
    const parts = id.split(':');
    for (let n = 1; n <= parts.length; n += 1) out.add(parts.slice(0, n).join(':'));
  }
  return out;
}

/** `--remote`/`--token` in the cached shape, from a core command (no flag module import). */
function globalFlagsOf(core: OclifPlugin): Command.Cached['flags'] {
  const flags = core.commands.find((c) => c.flags['remote'] && c.flags['token'])?.flags ?? {};
  return Object.fromEntries(Object.entries(flags).filter(([, f]) => f.helpGroup === 'GLOBAL' && f.name !== 'json'));
}

/**
 * The root plugin (core commands from `oclif.manifest.json` when built, else from the
 * explicit command map) plus a synthetic plugin with the commands found in plugin manifests.
 */
async function loadPlugins(root: string, bundle: string | undefined): Promise<Map<string, OclifPlugin>> {
  const core = new Plugin({ root, isRoot: true, pjson: readPjson(root, bundle) });
  await core.load();
  const plugins = new Map<string, OclifPlugin>([[core.name, core]]);
  const specs = await scanPluginCommands(pluginDir(), pluginCacheDir(), reservedIds(core), (line) => process.stderr.write(`${line}\n`));
  if (specs.length > 0) plugins.set(PLUGIN_COMMANDS, pluginCommandsPlugin(specs, root, globalFlagsOf(core)));
  return plugins;
}

/**
 * The DsError for an unknown command. oclif joins every leading word into the id it looked
 * up (`hello bob` → `hello:bob`), so only the words up to the first unknown one are named.
 */
function unknownCommand(typed: string, plugins: Map<string, OclifPlugin> | undefined): DsError {
  const visible = [...(plugins?.values() ?? [])].flatMap((p) => p.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...(c.aliases ?? [])]));
  const known = [...new Set(visible.flatMap((id) => id.split(':').map((_, i, parts) => parts.slice(0, i + 1).join(' '))))];
  const words = typed.split(' ');
  let n = 1;
  while (n < words.length && known.some((k) => k.startsWith(`${words.slice(0, n).join(' ')} `))) n += 1;
  const name = words.slice(0, n).join(' ');
  const near = suggestCommands(name, known);
  const hint = near.length > 0 ? `; did you mean ${near.map((k) => `"${k}"`).join(' or ')}?` : '';
  return new DsError('DS_ERR_INVALID_INPUT', `command "${name}" not found${hint} (run "dockersnap --help" for the list)`, { details: { command: name } });
}

/**
 * Runs the dockersnap CLI on `argv` and resolves to the process exit code. Errors are printed
 * once, as `Error: <message> [DS_ERR_…]` on stderr; the exit code is the DS_ERR code's.
 */
export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  settings.enableAutoTranspile = false;
  const root = packageRootDir();
  let plugins: Map<string, OclifPlugin> | undefined;
  try {
    plugins = await loadPlugins(root, options.bundle);
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      process.stdout.write(`dockersnap version ${buildVersion(plugins.values().next().value!.version)}\n`);
      return 0;
    }
    await run(hoistGlobalFlags(protectPassthrough(argv)), { root, plugins, userPlugins: false, devPlugins: false } as LoadOptions);
    await flush();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const typed = unknownCommandOf(err);
    return reportError(typed === undefined ? err : unknownCommand(typed, plugins));
  }
}

/** The CLI from the plain compiled modules (no bundle). */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv);
}
