import { existsSync } from 'node:fs';
import { DsError } from '../errors.js';
import type { ConfigOption, WorkloadSchema } from '../../plugin-sdk/capabilities/workload.js';
import { templateInstanceName } from '../../plugin-sdk/instance-name-template.js';

/**
 * Workload config resolution (plugin-contract-v1 §15): defaults, `{{ instance_name }}`
 * templating, then validation against the plugin's `config_options`. Pure apart from the
 * injected `pathExists`.
 */

/** The template token and its substitution live in the SDK (in-process workloads use them too). */
export { INSTANCE_NAME_TOKEN, templateInstanceName } from '../../plugin-sdk/instance-name-template.js';

export interface ResolveWorkloadConfigOptions {
  /** Whether a `path` option's value exists on the daemon host (relative to the daemon's cwd). Default `existsSync`. */
  pathExists?: (path: string) => boolean;
  /** The plugin's identity (its file name) for the error text; default `schema.plugin_name`. */
  plugin?: string;
}

/** Go's `%T` of a decoded JSON value (`encoding/json` into `interface{}`). */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's `%q` for a string: double-quoted, Go escapes for control characters. */
export function goQuote(text: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (named[ch] !== undefined) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}

/** The issue texts for one declared option whose key is present (after defaulting). */
function typeIssues(opt: ConfigOption, value: unknown, pathExists: (p: string) => boolean): string[] {
  const key = `config key ${goQuote(opt.name)}`;
  const expected = (what: string) => [`${key}: expected ${what}, got ${goTypeName(value)}`];
  switch (opt.type) {
    case 'string':
      return typeof value === 'string' ? [] : expected('string');
    case 'bool':
      return typeof value === 'boolean' ? [] : expected('bool');
    case 'int':
      // Any JSON number is accepted, as the original does (1.5 passes).
      return typeof value === 'number' ? [] : expected('int');
    case 'string-list':
      if (!Array.isArray(value)) return expected('list of strings');
      return value.flatMap((e, i) => (typeof e === 'string' ? [] : [`${key}: element ${i} is not a string (${goTypeName(e)})`]));
    case 'path':
      if (typeof value !== 'string') return expected('string');
      if (value === '') return opt.required ? [`${key}: empty path`] : [];
      return pathExists(value) ? [] : [`${key}: file ${value} does not exist`];
    default:
      return [`${key}: unknown declared type ${goQuote(String(opt.type))}`];
  }
}

/**
 * Every issue of a (defaulted, templated) config, in a stable order: unknown keys sorted by
 * name, then the declared options in schema order (missing required, then type issues).
 */
export function configIssues(options: readonly ConfigOption[], config: Readonly<Record<string, unknown>>, pathExists: (p: string) => boolean = existsSync): string[] {
  const declared = new Set(options.map((o) => o.name));
  const issues = Object.keys(config)
    .filter((k) => !declared.has(k))
    .sort()
    .map((k) => `unknown config key ${goQuote(k)}`);
  for (const opt of options) {
    if (!Object.hasOwn(config, opt.name)) {
      if (opt.required) issues.push(`missing required config key ${goQuote(opt.name)}`);
      continue;
    }
    issues.push(...typeIssues(opt, config[opt.name], pathExists));
  }
  return issues;
}

/**
 * Resolves a user's workload config for create (§15 steps 2–4): adds every declared
 * non-null default the user did not supply (a user `null` suppresses it), templates
 * `{{ instance_name }}` into string values (defaults included), then validates.
 * Pure: neither `userConfig` nor `schema` is modified; the result is a fresh object.
 * @returns the resolved map, to be stored as the instance's `workload_config`.
 * @throws DsError DS_ERR_PLUGIN_CONFIG `invalid plugin_config for "<p>": [<issue> <issue> …]`
 *   with `details.issues` listing every issue.
 */
export function resolveWorkloadConfig(
  schema: Pick<WorkloadSchema, 'plugin_name' | 'config_options'>,
  userConfig: Readonly<Record<string, unknown>> | null | undefined,
  instanceName: string,
  options: ResolveWorkloadConfigOptions = {},
): Record<string, unknown> {
  const declared = schema.config_options ?? [];
  const merged: Record<string, unknown> = clone({ ...(userConfig ?? {}) });
  for (const opt of declared) {
    if (opt.default !== undefined && opt.default !== null && !Object.hasOwn(merged, opt.name)) merged[opt.name] = clone(opt.default);
  }
  const resolved = templateInstanceName(merged, instanceName) as Record<string, unknown>;
  const issues = configIssues(declared, resolved, options.pathExists ?? existsSync);
  if (issues.length > 0) {
    const plugin = options.plugin ?? schema.plugin_name;
    throw new DsError('DS_ERR_PLUGIN_CONFIG', `invalid plugin_config for ${goQuote(plugin)}: [${issues.join(' ')}]`, { details: { plugin, issues } });
  }
  return resolved;
}
