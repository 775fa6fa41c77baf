import { DsError, templateInstanceName, type ConfigOption, type WorkloadInput } from '../../plugin-sdk/index.js';

/** The workload type this plugin provides (the key of the multi `workload` capability). */
export const WORKLOAD_NAME = 'echo';

/** The default image: built locally from the host's static busybox and loaded, never pulled. */
export const DEFAULT_IMAGE = 'dockersnap/echo:busybox';

export const DEFAULT_TEXT = 'hello from {{ instance_name }}';
export const DEFAULT_PORT = 5678;

/** The config options the `schema` command reports (plugin-contract-v1 §16, other default image). */
export const ECHO_CONFIG_OPTIONS: readonly ConfigOption[] = Object.freeze([
  { name: 'image', type: 'string', default: DEFAULT_IMAGE, description: `container image (${DEFAULT_IMAGE} is built from the host's busybox, any other is pulled and run http-echo style)` },
  { name: 'text', type: 'string', default: DEFAULT_TEXT, description: 'reply body' },
  { name: 'port', type: 'int', default: DEFAULT_PORT, description: 'in-container listen port' },
]);

/** The resolved options of one call. */
export interface EchoOptions {
  image: string;
  text: string;
  port: number;
}

function stringOption(config: Record<string, unknown>, key: string, fallback: string, issues: string[]): string {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') {
    issues.push(`config key "${key}": expected string, got ${typeof value}`);
    return fallback;
  }
  return value;
}

function portOption(config: Record<string, unknown>, issues: string[]): number {
  const value = config['port'];
  if (value === undefined || value === null) return DEFAULT_PORT;
  const port = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    issues.push(`config key "port": expected a port number 1-65535, got ${JSON.stringify(value)}`);
    return DEFAULT_PORT;
  }
  return port;
}

/**
 * The options of `input.plugin_config` with the schema defaults for what is missing (the daemon
 * normally defaults them already; this keeps the plugin correct either way) and
 * `{{ instance_name }}` replaced by the instance name. Pure.
 * @returns the options and the issues found (wrong types, a port out of range).
 */
export function readEchoOptions(input: Pick<WorkloadInput, 'instance_name' | 'plugin_config'>): { options: EchoOptions; issues: string[] } {
  const config = input.plugin_config ?? {};
  const issues: string[] = [];
  const image = stringOption(config, 'image', DEFAULT_IMAGE, issues).trim() || DEFAULT_IMAGE;
  const text = templateInstanceName(stringOption(config, 'text', DEFAULT_TEXT, issues), input.instance_name);
  const port = portOption(config, issues);
  return { options: { image, text, port }, issues };
}

/**
 * `readEchoOptions` for commands that act on the options.
 * @throws DsError DS_ERR_PLUGIN_CONFIG naming every bad key.
 */
export function echoOptions(input: Pick<WorkloadInput, 'instance_name' | 'plugin_config'>): EchoOptions {
  const { options, issues } = readEchoOptions(input);
  if (issues.length > 0) throw new DsError('DS_ERR_PLUGIN_CONFIG', `invalid plugin_config for "${WORKLOAD_NAME}": [${issues.join(' ')}]; fix the values given with --config`, { details: { plugin: WORKLOAD_NAME, issues } });
  return options;
}
