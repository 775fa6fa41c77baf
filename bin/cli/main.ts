import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core/config';
import { flush } from '@oclif/core/flush';
import type { LoadOptions, Plugin as OclifPlugin } from '@oclif/core/interfaces';
import { run } from '@oclif/core/run';
import { settings } from '@oclif/core/settings';
import { DsError } from '../../kernel/errors.js';
import { buildVersion } from './build-version.js';
import { reportError, unknownCommandOf } from './errors.js';
import { hoistGlobalFlags } from './global-flags.js';
import { pluginCacheDir, pluginCommandsPlugin, pluginDir, scanPluginCommands } from './plugin-commands.js';
import { suggestCommands } from './suggest.js';

/** The package root: the nearest folder above this module with a package.json. */
function packageRootDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function idsOf(p: OclifPlugin): string[] {
  return p.commands.flatMap((c) => [c.id, ...(c.aliases ?? []), ...(c.hiddenAliases ?? [])]);
}

/** Every id and topic prefix of the core commands: names a plugin command may not take. */
function reservedIds(core: OclifPlugin): Set<string> {
  const out = new Set<string>();
  for (const id of idsOf(core)) {
    const parts = id.split(':');
    for (let n = 1; n <= parts.length; n += 1) out.add(parts.slice(0, n).join(':'));
  }
  return out;
}

/**
 * The root plugin (core commands from `oclif.manifest.json` when built, else from the
 * explicit command map) plus a synthetic plugin with the commands found in plugin manifests.
 */
async function loadPlugins(root: string): Promise<Map<string, OclifPlugin>> {
  const core = new Plugin({ root, isRoot: true });
  await core.load();
  const plugins = new Map<string, OclifPlugin>([[core.name, core]]);
  const specs = await scanPluginCommands(pluginDir(), pluginCacheDir(), reservedIds(core), (line) => process.stderr.write(`${line}\n`));
  if (specs.length > 0) plugins.set('dockersnap-plugin-commands', pluginCommandsPlugin(specs, root));
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
export async function main(argv: readonly string[]): Promise<number> {
  settings.enableAutoTranspile = false;
  const root = packageRootDir();
  let plugins: Map<string, OclifPlugin> | undefined;
  try {
    plugins = await loadPlugins(root);
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      process.stdout.write(`dockersnap version ${buildVersion(plugins.values().next().value!.version)}\n`);
      return 0;
    }
    await run(hoistGlobalFlags(argv), { root, plugins, userPlugins: false, devPlugins: false } as LoadOptions);
    await flush();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const typed = unknownCommandOf(err);
    return reportError(typed === undefined ? err : unknownCommand(typed, plugins));
  }
}
