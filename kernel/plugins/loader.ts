import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DsError, errorMessage } from '../errors.js';
import type { AnyPluginDefinition } from '../../plugin-sdk/define-plugin.js';
import { PLUGIN_ID_PATTERN } from '../../plugin-sdk/define-plugin.js';
import { entryFile, type Candidate } from './discovery.js';

/** The dockersnap package root (where package.json names "dockersnap"). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dockersnap') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the dockersnap package root');
    dir = parent;
  }
}

/**
 * Directory plugins are imported from a content-addressed copy: ESM caches modules by URL,
 * and a query string only refreshes the entry file, not the files it imports. A copy per
 * content hash gives every version its own URL space, so a reload loads all of it anew.
 * The cache root holds `node_modules/dockersnap` → this package, so plugins can
 * `import … from 'dockersnap/plugin-sdk'`.
 */
export async function stagePluginCopy(candidate: Candidate, cacheDir: string): Promise<string> {
  const target = join(cacheDir, `${candidate.manifest!.id}-${candidate.fingerprint.slice(0, 16)}`);
  await mkdir(join(cacheDir, 'node_modules'), { recursive: true });
  // Plugin folders are ESM; a package.json of their own (if shipped) still takes precedence.
  const pkg = join(cacheDir, 'package.json');
  if (!existsSync(pkg)) await writeFile(pkg, '{ "type": "module", "private": true }\n');
  const link = join(cacheDir, 'node_modules', 'dockersnap');
  if (!existsSync(link)) await symlink(packageRoot(), link, 'dir').catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
  if (!existsSync(target)) {
    const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
    await cp(candidate.dir, tmp, { recursive: true });
    await rename(tmp, target).catch(async (err: NodeJS.ErrnoException) => {
      await rm(tmp, { recursive: true, force: true });
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  }
  return target;
}

function checkDefinition(def: unknown, candidate: Candidate, file: string): AnyPluginDefinition {
  const m = candidate.manifest!;
  const bad = (what: string) => new DsError('DS_ERR_PLUGIN_MANIFEST', `${file}: ${what}`, { details: { plugin: m.id, file } });
  if (typeof def !== 'object' || def === null) throw bad('the default export must be definePlugin({...})');
  const d = def as Partial<AnyPluginDefinition>;
  if (typeof d.id !== 'string' || !PLUGIN_ID_PATTERN.test(d.id)) throw bad(`the plugin id ${JSON.stringify(d.id)} is invalid`);
  if (d.id !== m.id) throw bad(`exports plugin id "${d.id}" but plugin.json says "${m.id}"; make them equal`);
  if (typeof d.setup !== 'function') throw bad('the plugin has no setup function');
  if (d.version !== undefined && d.version !== m.version) throw bad(`exports version "${d.version}" but plugin.json says "${m.version}"`);
  return def as AnyPluginDefinition;
}

/**
 * Imports a plugin's entry module and checks its default export against the manifest.
 * Importing has no side effects by contract (definePlugin is pure).
 * @throws DsError DS_ERR_PLUGIN_LOAD / DS_ERR_PLUGIN_MANIFEST
 */
export async function importPlugin(candidate: Candidate, cacheDir: string): Promise<AnyPluginDefinition> {
  const m = candidate.manifest!;
  const dir = candidate.source === 'builtin' ? candidate.dir : await stagePluginCopy(candidate, cacheDir);
  const file = entryFile(dir, m.main);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new DsError('DS_ERR_PLUGIN_LOAD', `plugin "${m.id}" (${join(candidate.dir, m.main)}) failed to import: ${errorMessage(err)}`, { details: { plugin: m.id }, cause: err });
  }
  return checkDefinition(mod.default, candidate, join(candidate.dir, m.main));
}

/** Removes cached copies that no live plugin uses any more. */
export async function pruneCache(cacheDir: string, keep: ReadonlySet<string>): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  let entries: string[] = [];
  try {
    entries = await readdir(cacheDir);
  } catch {
    return;
  }
  await Promise.all(entries.filter((e) => e !== 'node_modules' && !keep.has(join(cacheDir, e))).map((e) => rm(join(cacheDir, e), { recursive: true, force: true })));
}
