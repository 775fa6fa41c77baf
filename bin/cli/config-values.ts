import { DsError } from '../../kernel/errors.js';

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Types one `--config k=v` value as the original does (state-and-config §3.3): `true`/`false`
 * → boolean, `null` → null, base-10 integers and other float syntax → number, text in `[…]` or
 * `{…}` that parses as JSON → that value, anything else (empty included) → the string itself.
 * (Go's `inf`/`nan` would not survive JSON encoding and stay strings.)
 */
export function parseConfigValue(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (INTEGER.test(raw) || FLOAT.test(raw)) return Number(raw);
  const bracketed = (raw.startsWith('[') && raw.endsWith(']')) || (raw.startsWith('{') && raw.endsWith('}'));
  if (bracketed) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/**
 * Lays `--config k=v` pairs over `base` (the `--config-file` values), in order; each pair is
 * split at the first `=`.
 * @throws DsError DS_ERR_INVALID_INPUT `--config "<kv>": expected key=value` (no `=`, empty key).
 */
export function applyConfigPairs(base: Record<string, unknown>, pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const kv of pairs) {
    const at = kv.indexOf('=');
    if (at <= 0) throw new DsError('DS_ERR_INVALID_INPUT', `--config ${JSON.stringify(kv)}: expected key=value`, { details: { flag: 'config', value: kv } });
    Object.defineProperty(out, kv.slice(0, at), { value: parseConfigValue(kv.slice(at + 1)), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Snapshot `--tag k=v` values (state-and-config §3.4): split at the first `=`, no `=` means an
 * empty value, the last of repeated keys wins.
 */
export function parseTags(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const kv of pairs) {
    const at = kv.indexOf('=');
    const key = at < 0 ? kv : kv.slice(0, at);
    Object.defineProperty(tags, key, { value: at < 0 ? '' : kv.slice(at + 1), enumerable: true, writable: true, configurable: true });
  }
  return tags;
}

/**
 * Reads a `--config-file`: a mapping in YAML (JSON also accepted). YAML is loaded only here, so
 * other commands never pay for it.
 * @throws DsError DS_ERR_INVALID_INPUT when the file cannot be read or is not a mapping.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new DsError('DS_ERR_INVALID_INPUT', `--config-file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    try {
      value = (await import('yaml')).parse(text) as unknown;
    } catch (err) {
      throw new DsError('DS_ERR_INVALID_INPUT', `--config-file ${path}: not valid YAML or JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new DsError('DS_ERR_INVALID_INPUT', `--config-file ${path}: expected a mapping of option names to values`);
  return value as Record<string, unknown>;
}
