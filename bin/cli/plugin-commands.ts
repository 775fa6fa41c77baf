import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '@oclif/core/command';
import type { Plugin } from '@oclif/core/interfaces';
import { readManifest } from '../../kernel/plugins/manifest.js';
import type { PluginCommandSpec } from './plugin-command.js';

/** Name of the synthetic oclif plugin that carries plugin-contributed commands. */
export const PLUGIN_COMMANDS = 'dockersnap-plugin-commands';
/** The daemon's default plugin directory (state-and-config §2.2). */
export const DEFAULT_PLUGIN_DIR = '/usr/local/lib/dockersnap/plugins';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the CLI reads plugin manifests: `DOCKERSNAP_PLUGIN_DIR`, else the daemon's default. */
export function pluginDir(env: Env = process.env): string {
  return env['DOCKERSNAP_PLUGIN_DIR'] || DEFAULT_PLUGIN_DIR;
}

/** Where the CLI stages plugin copies: `DOCKERSNAP_PLUGIN_CACHE`, else a per-user temp dir. */
export function pluginCacheDir(env: Env = process.env): string {
  return env['DOCKERSNAP_PLUGIN_CACHE'] || join(tmpdir(), `dockersnap-cli-plugin-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * Reads every plugin manifest in `dir` (JSON only, no plugin code) and lists the commands
 * they declare. A command whose id is taken by a core command or topic (`reserved`), or by an
 * earlier plugin, is dropped with a one-line warning naming the plugin. Folders without a
 * valid manifest are skipped silently: the daemon reports them in `plugin list`.
 */
export async function scanPluginCommands(dir: string, cacheDir: string, reserved: ReadonlySet<string>, warn: (line: string) => void): Promise<PluginCommandSpec[]> {
  let folders: string[];
  try {
    folders = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return [];
  }
  const manifests = await Promise.all(folders.map((f) => readManifest(join(dir, f)).then((m) => ({ folder: f, m }), () => undefined)));
  const taken = new Map<string, string>();
  const specs: PluginCommandSpec[] = [];
  for (const { folder, m } of manifests.filter((x) => x !== undefined)) {
    for (const [name, c] of Object.entries(m.commands)) {
      const shown = name.replaceAll(':', ' ');
      if (reserved.has(name)) warn(`Warning: plugin "${m.id}" command "${shown}" is shadowed by the core command of that name; ignoring it`);
      else if (taken.has(name)) warn(`Warning: plugin "${m.id}" command "${shown}" is already provided by plugin "${taken.get(name)}"; ignoring it`);
      else {
        taken.set(name, m.id);
        specs.push({ id: name, pluginId: m.id, dir: join(dir, folder), manifest: m, file: c.file, summary: c.summary, ...(c.description ? { description: c.description } : {}), cacheDir });
      }
    }
  }
  return specs;
}

function loadable(spec: PluginCommandSpec, globalFlags: Command.Cached['flags']): Command.Loadable {
  return {
    id: spec.id,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    aliases: [],
    hiddenAliases: [],
    args: {},
    flags: globalFlags,
    hidden: false,
    strict: false,
    pluginName: PLUGIN_COMMANDS,
    pluginAlias: PLUGIN_COMMANDS,
    pluginType: 'user',
    group: 'Plugin',
    dsPluginCommand: spec,
    load: async () => (await import('./plugin-command.js')).pluginCommandClass(spec),
  };
}

/**
 * An oclif plugin object holding the plugin-contributed commands as lazy `Loadable`s: listing
 * and help use the manifest's summary; the command's module is imported only to run it or to
 * show its own help. `globalFlags` (cached shape, taken from a core command) lets help list
 * `--remote`/`--token` without importing the flag definitions.
 */
export function pluginCommandsPlugin(specs: readonly PluginCommandSpec[], root: string, globalFlags: Command.Cached['flags']): Plugin {
  const commands = specs.map((s) => loadable(s, globalFlags));
  const find = async (id: string, opts?: { must: boolean }) => {
    const found = commands.find((c) => c.id === id);
    if (!found && opts?.must) throw new Error(`command ${id} not found`);
    return found?.load();
  };
  return {
    _base: PLUGIN_COMMANDS,
    name: PLUGIN_COMMANDS,
    alias: PLUGIN_COMMANDS,
    version: '0.0.0',
    root,
    type: 'user',
    isRoot: false,
    valid: true,
    moduleType: 'module',
    hasManifest: false,
    hooks: {},
    topics: [],
    commands,
    commandIDs: commands.map((c) => c.id),
    commandsDir: undefined,
    options: { root },
    pjson: { name: PLUGIN_COMMANDS, version: '0.0.0', oclif: {} },
    findCommand: find,
    load: async () => undefined,
  } as unknown as Plugin;
}
