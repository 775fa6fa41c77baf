import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DsError, errorMessage, type WorkloadSchema } from '../../plugin-sdk/index.js';
import { CONTRACT_VERSION } from '../../plugin-sdk/exec-plugin/contract.js';
import { goPathError } from './go-texts.js';
import { decodeResponse, SCHEMA_RESPONSE } from './response-shapes.js';
import type { ExecRunner, ExecTarget } from './runner.js';

/** One discovered exec plugin (§2). `ready` ones can be called; `disabled` ones say why not. */
export interface ExecPluginEntry extends ExecTarget {
  status: 'ready' | 'disabled';
  error?: string;
  schema?: WorkloadSchema & { contract_version?: string };
  /** Lowercase hex SHA-256 of the raw `schema` stdout. */
  schemaDigest?: string;
  /** Lowercase hex SHA-256 of the file. */
  binaryDigest?: string;
}

/** The daemon supports exactly this set (§11). */
export const SUPPORTED_CONTRACTS: readonly string[] = [CONTRACT_VERSION];

/**
 * The candidates of a plugin dir (§2): every non-directory entry directly inside it with any
 * execute bit on the entry itself (a symlink always passes), in byte order of the name.
 * Subdirectories (kernel plugins live there) and non-executable files are skipped.
 * @returns `[]` for a missing directory.
 * @throws DsError DS_ERR_PLUGIN_LOAD when the directory exists but cannot be read.
 */
export async function scanPluginDir(dir: string, log?: { debug(o: object, m: string): void }): Promise<ExecTarget[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new DsError('DS_ERR_PLUGIN_LOAD', `reading plugin directory: ${goPathError('open', dir, err as NodeJS.ErrnoException)}`, { details: { dir } });
  }
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const out: ExecTarget[] = [];
  for (const name of names) {
    const path = resolve(join(dir, name));
    const st = await lstat(path).catch(() => undefined);
    if (!st || st.isDirectory()) continue;
    if ((st.mode & 0o111) === 0) {
      log?.debug({ plugin: name, path }, 'skipping a plugin candidate without an execute bit');
      continue;
    }
    out.push({ name, path });
  }
  return out;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (err: NodeJS.ErrnoException) => reject(new Error(goPathError(err.syscall === 'read' ? 'read' : 'open', path, err))))
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** Go's `%v` of a string slice: `[a b]`. */
function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/**
 * Loads one candidate (§2): binary digest → `schema` → parse → contract check → schema
 * digest → `init`. Never throws: a failure is a `disabled` entry with the original's text.
 */
export async function loadExecPlugin(target: ExecTarget, runner: ExecRunner): Promise<ExecPluginEntry> {
  const entry: ExecPluginEntry = { ...target, status: 'disabled' };
  const disabled = (error: string) => ({ ...entry, error });
  try {
    entry.binaryDigest = await sha256File(target.path);
  } catch (err) {
    return disabled(`hashing binary: ${errorMessage(err)}`);
  }
  let raw: Buffer;
  try {
    raw = await runner.schema(target);
  } catch (err) {
    return disabled(`running schema: ${errorMessage(err)}`);
  }
  const decoded = decodeResponse<Partial<WorkloadSchema> & { contract_version?: string }>(raw.toString('utf8'), SCHEMA_RESPONSE);
  if (!decoded.ok) return disabled(`parsing schema response: ${decoded.error}`);
  entry.schema = { plugin_name: '', plugin_version: '', supported_contract_versions: [], ...decoded.value };
  const versions = entry.schema.supported_contract_versions;
  if (!versions.some((v) => SUPPORTED_CONTRACTS.includes(v))) return disabled(`plugin contract versions ${goList(versions)} are not supported by this daemon`);
  entry.schemaDigest = createHash('sha256').update(raw).digest('hex');
  try {
    await runner.init(target);
  } catch (err) {
    return disabled(`running init: ${errorMessage(err)}`);
  }
  return { ...entry, status: 'ready' };
}
