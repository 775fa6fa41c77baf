import { readFile } from 'node:fs/promises';
import { DsError, errorMessage } from '../errors.js';
import type { CoreConfig, DockersnapConfig } from './types.js';
import { validateConfig } from './validate.js';

export { defaultConfig } from './defaults.js';
export { parseGoDuration, isGoDuration } from './duration.js';

/**
 * Loading `config.yaml` (state-and-config §2): locate, read, parse, overlay env and
 * programmatic overrides, validate. Layers, lowest first: built-in defaults < file <
 * environment < `overrides`. Objects merge key by key; lists and scalars replace.
 */

/** Where the daemon looks when neither `path` nor `DOCKERSNAP_CONFIG` says otherwise. */
export const DEFAULT_CONFIG_PATH = '/etc/dockersnap/config.yaml';

/** Environment variables that override one key each. An empty value counts as unset. */
export const ENV_OVERRIDES: Readonly<Record<string, string>> = {
  DOCKERSNAP_LOG_LEVEL: 'log_level',
  DOCKERSNAP_PLUGIN_DIR: 'plugins.dir',
  DOCKERSNAP_TOKEN: 'api.token',
  DOCKERSNAP_STATE_FILE: 'state_file',
  DOCKERSNAP_RUN_DIR: 'run_dir',
  DOCKERSNAP_DATA_DIR: 'data_dir',
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A partial config overlaid last (tests, `serve` flags). Plugin sections may be included. */
export type ConfigOverrides = DeepPartial<CoreConfig> & Record<string, unknown>;

export interface LoadConfigOptions {
  /** Config file; an explicit path (or `DOCKERSNAP_CONFIG`) must exist. */
  path?: string;
  /** The implicit location, which may be missing (tests point it elsewhere). Default `DEFAULT_CONFIG_PATH`. */
  defaultPath?: string;
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  overrides?: ConfigOverrides;
  /** Receives non-fatal findings (unknown keys inside core sections, which are dropped). */
  onWarning?: (message: string) => void;
}

type YamlModule = typeof import('yaml');
let yamlModule: Promise<YamlModule> | undefined;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Merges `patch` into `base` in place: objects key by key, anything else replaces. */
function overlay(base: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = base[key];
    if (isPlainObject(current) && isPlainObject(value)) overlay(current, value);
    else base[key] = value;
  }
}

function envLayer(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parts = key.split('.');
    const last = parts.pop()!;
    let node = layer;
    for (const part of parts) node = (node[part] ??= {}) as Record<string, unknown>;
    node[last] = value;
  }
  return layer;
}

function parseError(file: string, err: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): DsError {
  // yaml's message ends with " at line L, column C:" and a source excerpt; we say where once.
  const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const where = err.linePos === undefined ? '' : ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})`;
  return new DsError('DS_ERR_CONFIG', `parsing config file ${file}${where}: ${reason}`, {
    details: { file, line: err.linePos?.[0].line, column: err.linePos?.[0].col },
  });
}

async function parseYaml(file: string, text: string): Promise<Record<string, unknown>> {
  yamlModule ??= import('yaml');
  const { parseDocument } = await yamlModule;
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first !== undefined) throw parseError(file, first);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw parseError(file, { message: errorMessage(err) }); // e.g. an alias without its anchor
  }
  if (value === null || value === undefined) return {}; // empty file or only comments
  if (!isPlainObject(value)) {
    throw new DsError('DS_ERR_CONFIG', `config ${file}: the top level must be a mapping of keys to values (got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)})`, { details: { file } });
  }
  return value;
}

async function readConfigFile(file: string, explicit: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return {};
    const why = code === 'ENOENT' ? `config file ${file} not found` : `reading config file ${file}: ${errorMessage(err)}`;
    throw new DsError('DS_ERR_CONFIG', why, { cause: err, details: { file } });
  }
  return parseYaml(file, text);
}

/**
 * Loads the daemon configuration. The file is `path`, else `$DOCKERSNAP_CONFIG`, else
 * `defaultPath` (`/etc/dockersnap/config.yaml`); only that last, implicit one may be missing (defaults are
 * used). Unknown top-level keys are kept as plugin sections; unknown keys inside core
 * sections are dropped and reported through `onWarning`. A YAML `null` means "not set".
 * Idempotent; reads the file on every call.
 * @throws DsError DS_ERR_CONFIG naming the file and, for parse errors, the line; for
 * invalid values, every offending key (`network.subnet_size must be integer (got "16a")`).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<DockersnapConfig> {
  const env = options.env ?? process.env;
  const explicitPath = options.path || env.DOCKERSNAP_CONFIG || undefined;
  const file = explicitPath ?? options.defaultPath ?? DEFAULT_CONFIG_PATH;
  const doc = await readConfigFile(file, explicitPath !== undefined);
  overlay(doc, envLayer(env));
  if (options.overrides !== undefined) overlay(doc, structuredClone(options.overrides));
  return validateConfig(doc, file, options.onWarning);
}
