import { isIP, isIPv4 } from 'node:net';
import { defaultConfig } from './defaults.js';
import { isGoDuration, parseGoDuration } from './duration.js';
import { DURATION_KEYS } from './schema.js';
import type { CoreConfig } from './types.js';

/**
 * What JSON schema cannot say well: address syntax, Go durations, cross-field rules; and
 * the original's value normalisations (empty duration ⇒ default, threshold < 1 ⇒ 3 …), so
 * that consumers of the loaded config never re-implement them. Runs after ajv, on a
 * document whose types are already right.
 */

/** One problem found in the config, keyed by its dotted path. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** Our own deadlines, for which 0 or a negative value is an error rather than "use the default". */
const POSITIVE_DURATION_KEYS = new Set(['plugins.hook_timeout', 'plugins.setup_timeout']);
const LOG_LEVELS: Readonly<Record<string, string>> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error' };
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** The value at a dotted key path such as `plugins.timeouts.init`. */
export function valueAt(root: object, key: string): unknown {
  let node: unknown = root;
  for (const part of key.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

function setAt(root: object, key: string, value: unknown): void {
  const parts = key.split('.');
  const last = parts.pop()!;
  let node = root as Record<string, unknown>;
  for (const part of parts) node = node[part] as Record<string, unknown>;
  node[last] = value;
}

function isHostPort(text: string): boolean {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return false;
  const host = text.slice(0, colon);
  const port = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535) return false;
  if (host === '') return true; // ":9847" listens on every address, as in Go
  if (host.startsWith('[') && host.endsWith(']')) return isIP(host.slice(1, -1)) === 6;
  return isIPv4(host) || (!host.includes(':') && HOSTNAME.test(host));
}

function isHostOffset(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(text);
  return m !== null && Number(m[1]) <= 255 && Number(m[2]) <= 255;
}

function got(value: unknown): string {
  return `(got ${JSON.stringify(value)})`;
}

function checkAddresses(config: CoreConfig, problems: ConfigProblem[]): void {
  const { api, network } = config;
  if (!isHostPort(api.listen)) problems.push({ key: 'api.listen', message: `must be host:port such as 127.0.0.1:9847 ${got(api.listen)}` });
  if (api.proxy_bind !== '' && isIP(api.proxy_bind) === 0) {
    problems.push({ key: 'api.proxy_bind', message: `must be an IP address such as 127.0.0.1, or empty ${got(api.proxy_bind)}` });
  }
  if (!isIPv4(network.base_offset)) {
    problems.push({ key: 'network.base_offset', message: `must be an IPv4 address such as 10.10.0.0 ${got(network.base_offset)}` });
  }
  if (!isHostOffset(network.metallb_host_offset)) {
    problems.push({ key: 'network.metallb_host_offset', message: `must be "X.Y" with X and Y in 0-255, such as "10.10" ${got(network.metallb_host_offset)}` });
  }
}

function checkDurations(config: CoreConfig, problems: ConfigProblem[]): void {
  for (const key of DURATION_KEYS) {
    const value = valueAt(config, key) as string;
    if (value === '') continue; // the original's "empty ⇒ default"; normalizeConfig fills it in
    if (!isGoDuration(value)) {
      problems.push({ key, message: `must be a Go duration such as 30s, 1.5m or 1h30m ${got(value)}` });
    } else if (POSITIVE_DURATION_KEYS.has(key) && parseGoDuration(value) <= 0) {
      problems.push({ key, message: `must be a positive duration ${got(value)}` });
    }
  }
}

/**
 * Semantic checks on a schema-valid config. Returns every problem found (empty when fine);
 * never throws.
 */
export function checkConfig(config: CoreConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  checkAddresses(config, problems);
  checkDurations(config, problems);
  const disabled = new Set(config.plugins.disabled);
  for (const id of config.plugins.required) {
    if (disabled.has(id)) problems.push({ key: 'plugins.required', message: `lists "${id}", which plugins.disabled also lists` });
  }
  return problems;
}

/**
 * Applies the original's normalisations in place, on a config that passed `checkConfig`:
 * empty durations, and plugin timeouts ≤ 0, become their defaults; a health failure
 * threshold < 1 becomes 3; `log_level` becomes one of debug, info, warn, error.
 */
export function normalizeConfig(config: CoreConfig): void {
  const defaults = defaultConfig();
  for (const key of DURATION_KEYS) {
    const value = valueAt(config, key) as string;
    const timeoutOff = key.startsWith('plugins.timeouts.') && parseGoDurationOrZero(value) <= 0;
    if (value === '' || timeoutOff) setAt(config, key, valueAt(defaults, key));
  }
  if (config.plugins.health_failure_threshold < 1) config.plugins.health_failure_threshold = defaults.plugins.health_failure_threshold;
  config.log_level = LOG_LEVELS[config.log_level.trim().toLowerCase()] ?? 'info';
}

function parseGoDurationOrZero(text: string): number {
  return text === '' ? 0 : parseGoDuration(text);
}
