import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Args from '@oclif/core/args';
import type { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { DsError, errorMessage } from '../../kernel/errors.js';
import type { PluginManifest } from '../../kernel/plugins/manifest.js';
import type { CommandArg, CommandDefinition, CommandFlag } from '../../plugin-sdk/define-command.js';
import { BaseCommand } from './base-command.js';
import { GLOBAL_FLAGS } from './global-flags.js';

/** A CLI command a plugin's manifest declares (found without importing plugin code). */
export interface PluginCommandSpec {
  /** oclif id (`hello`, `topic:verb`). */
  id: string;
  pluginId: string;
  /** The plugin folder in the plugin dir. */
  dir: string;
  manifest: PluginManifest;
  /** Command module, relative to the plugin folder. */
  file: string;
  summary: string;
  description?: string;
  /** Where versioned copies are imported from. */
  cacheDir: string;
}

/** Single-letter flags the CLI itself uses; a plugin flag asking for one gets none. */
const RESERVED_CHARS = new Set(['r', 't', 'h']);

/** oclif args from a `defineCommand` descriptor, in order. */
export function toOclifArgs(args: readonly CommandArg[] = []): Record<string, ReturnType<typeof Args.string>> {
  return Object.fromEntries(args.map((a) => [a.name, Args.string({ description: a.description, required: a.required ?? false })]));
}

/** oclif flags from a `defineCommand` descriptor. */
export function toOclifFlags(flags: Readonly<Record<string, CommandFlag>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(flags)) {
    const base = { description: f.description, required: f.required ?? false, ...(f.char && !RESERVED_CHARS.has(f.char) ? { char: f.char } : {}) };
    if (f.type === 'boolean') out[name] = Flags.boolean({ ...base, ...(typeof f.default === 'boolean' ? { default: f.default } : {}) } as never);
    else if (f.type === 'integer') out[name] = Flags.integer({ ...base, multiple: f.multiple ?? false, ...(typeof f.default === 'number' ? { default: f.default } : {}) } as never);
    else out[name] = Flags.string({ ...base, multiple: f.multiple ?? false, ...(f.default !== undefined ? { default: String(f.default) } : {}) } as never);
  }
  return out;
}

async function pruneOtherVersions(cacheDir: string, pluginId: string, keep: string): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  const stale = entries.filter((e) => e.startsWith(`${pluginId}-`) && !e.includes('.tmp-') && join(cacheDir, e) !== keep);
  await Promise.all(stale.map((e) => rm(join(cacheDir, e), { recursive: true, force: true }).catch(() => undefined)));
}

/**
 * The CLI imports code from the cache dir, whose default is a predictable path in the shared
 * temp dir: it must be a real directory owned by us and writable by nobody else, or another
 * local user could plant code in it before we do.
 * @throws DsError DS_ERR_PLUGIN_LOAD naming the directory.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const uid = process.getuid?.();
  if (st.isDirectory() && !st.isSymbolicLink() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0) return;
  throw new DsError('DS_ERR_PLUGIN_LOAD', `refusing to load plugin commands from ${dir}: it must be a directory owned by you and writable only by you (fix it, or set DOCKERSNAP_PLUGIN_CACHE)`, { details: { dir } });
}

/**
 * Imports a plugin command's module from a content-addressed copy of its plugin folder (so
 * `dockersnap/plugin-sdk` resolves, and an edited plugin is never half-stale), and checks
 * that its default export is `defineCommand({...})`.
 * @throws DsError DS_ERR_PLUGIN_LOAD (import failed) / DS_ERR_PLUGIN_MANIFEST (bad export).
 */
export async function loadCommandDefinition(spec: PluginCommandSpec): Promise<CommandDefinition> {
  const { fingerprintDir } = await import('../../kernel/plugins/discovery.js');
  const { stagePluginCopy } = await import('../../kernel/plugins/loader.js');
  const where = join(spec.dir, spec.file);
  await ensurePrivateDir(spec.cacheDir);
  let mod: { default?: unknown };
  try {
    const candidate = { dir: spec.dir, source: 'dir' as const, folder: spec.pluginId, manifest: spec.manifest, fingerprint: await fingerprintDir(spec.dir) };
    const staged = await stagePluginCopy(candidate, spec.cacheDir);
    mod = (await import(pathToFileURL(join(staged, spec.file)).href)) as { default?: unknown };
    await pruneOtherVersions(spec.cacheDir, spec.pluginId, staged);
  } catch (err) {
    throw new DsError('DS_ERR_PLUGIN_LOAD', `plugin "${spec.pluginId}" command "${spec.id.replaceAll(':', ' ')}" (${where}) failed to load: ${errorMessage(err)}`, { details: { plugin: spec.pluginId }, cause: err });
  }
  const def = mod.default as Partial<CommandDefinition> | undefined;
  if (typeof def !== 'object' || def === null || typeof def.run !== 'function') {
    throw new DsError('DS_ERR_PLUGIN_MANIFEST', `${where}: the default export must be defineCommand({...}) with a run function`, { details: { plugin: spec.pluginId } });
  }
  return def as CommandDefinition;
}

/**
 * An oclif command class for a plugin command, built on the fly. Cheap to create: the plugin
 * module is imported only in `run`, which then parses argv with the descriptor's args and flags.
 */
export function pluginCommandClass(spec: PluginCommandSpec): Command.Class {
  return class PluginCommand extends BaseCommand {
    static override id = spec.id;
    static override summary = spec.summary;
    static override strict = false;
    static override group = 'Plugin' as const;
    static override errorPrefix = spec.id.replaceAll(':', ' ');

    async run(): Promise<void> {
      const def = await loadCommandDefinition(spec);
      const input = { flags: { ...GLOBAL_FLAGS, ...toOclifFlags(def.flags) }, args: toOclifArgs(def.args), strict: true };
      const { args, flags } = await this.parse(input as never);
      const { remote, token, ...own } = flags as Record<string, unknown>;
      const client = this.client({ remote: remote as string | undefined, token: token as string | undefined });
      await def.run({ args: args as Record<string, string | undefined>, flags: own, client, print: (line) => this.log(line) });
    }
  };
}
