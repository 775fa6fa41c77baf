import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DsError, errorMessage, toDsError } from '../errors.js';
import { readManifest, type PluginManifest } from './manifest.js';

export type PluginSource = 'builtin' | 'dir' | 'inline';

/** A folder that looks like a plugin, with its manifest or the reason it has none. */
export interface Candidate {
  dir: string;
  source: PluginSource;
  /** The folder name (the id when the manifest could not be read). */
  folder: string;
  manifest?: PluginManifest;
  error?: DsError;
  /** Changes whenever any file of the plugin changes (builtins: their version). */
  fingerprint: string;
}

/** The builtin-plugins folder next to the running kernel (dist/ or the TS sources). */
export function builtinPluginDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'builtin-plugins');
}

/** `main` if it exists, else its `.ts` sibling (running from the sources under tsx). */
export function entryFile(dir: string, main: string): string {
  const file = join(dir, main);
  if (existsSync(file)) return file;
  const ts = file.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : file;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out.sort();
}

/** Content hash of a plugin folder: any edited, added or removed file changes it. */
export async function fingerprintDir(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await listFiles(dir)) {
    hash.update(relative(dir, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function candidateFor(dir: string, folder: string, source: PluginSource): Promise<Candidate> {
  try {
    const manifest = await readManifest(dir);
    const fingerprint = source === 'builtin' ? `builtin:${manifest.version}` : await fingerprintDir(dir);
    return { dir, source, folder, manifest, fingerprint };
  } catch (err) {
    return { dir, source, folder, error: toDsError(err, 'DS_ERR_PLUGIN_MANIFEST'), fingerprint: 'invalid' };
  }
}

/**
 * Lists plugin folders: every sub-folder of the builtin dir and of the user plugin dir.
 * Plain files in the user dir are not kernel plugins (exec workload plugins live there and
 * are discovered by their own plugin). A missing user dir means zero plugins.
 * @throws DsError DS_ERR_PLUGIN_LOAD when the user dir exists but cannot be read.
 */
export async function discover(dirs: { builtinDir?: string | undefined; userDir?: string | undefined }): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const [dir, source] of [[dirs.builtinDir, 'builtin'], [dirs.userDir, 'dir']] as const) {
    if (!dir) continue;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new DsError('DS_ERR_PLUGIN_LOAD', `cannot read plugin directory ${dir}: ${errorMessage(err)}`, { details: { dir } });
    }
    const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    out.push(...(await Promise.all(folders.map((f) => candidateFor(join(dir, f), f, source)))));
  }
  return out;
}
