import { existsSync } from 'node:fs';
import { parseGoDuration, templateInstanceName, type ConfigOption } from '../../plugin-sdk/index.js';

/**
 * The workload config of a kind instance (`plugin_config`): the reference plugin's options
 * (contract v1 §17) plus `node_image`, `api_server_port` and `extra_port_mappings`.
 */

/** The options `workload schema kind` lists. */
export const KIND_CONFIG_OPTIONS: readonly ConfigOption[] = [
  { name: 'cluster_name', type: 'string', default: '{{ instance_name }}', description: 'kind cluster name' },
  { name: 'kind_config', type: 'path', description: 'kind cluster config YAML on the daemon host (replaces the generated one)' },
  { name: 'wait_ready', type: 'bool', default: true, description: 'pass --wait to kind create cluster' },
  { name: 'wait_timeout', type: 'string', default: '120s', description: 'Go duration for --wait' },
  { name: 'retries', type: 'int', default: 3, description: 'create attempts (values < 1 mean 1)' },
  { name: 'kubernetes_version', type: 'string', description: 'node image tag: --image kindest/node:<version>' },
  { name: 'node_image', type: 'string', description: 'full node image (alternative to kubernetes_version)' },
  { name: 'api_server_port', type: 'int', default: 0, description: 'API server port inside the instance namespace (0 = random)' },
  { name: 'extra_port_mappings', type: 'string-list', default: [], description: 'extra node port mappings, "[listenAddress:]hostPort:containerPort[/tcp|udp|sctp]"' },
];

/** One kind `extraPortMappings` entry. */
export interface PortMapping {
  containerPort: number;
  hostPort: number;
  listenAddress?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** The resolved options of one call. */
export interface KindOptions {
  clusterName: string;
  kindConfig?: string;
  waitReady: boolean;
  waitTimeout: string;
  retries: number;
  /** `--image`: `node_image`, else `kindest/node:<kubernetes_version>`, else none. */
  image?: string;
  apiServerPort: number;
  extraPortMappings: PortMapping[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Parses one `extra_port_mappings` entry: `hostPort:containerPort`, optionally prefixed by a
 * listen address and suffixed by a protocol (`127.0.0.1:8080:80/tcp`).
 * @throws Error naming the entry and the expected form.
 */
export function parsePortMapping(text: string): PortMapping {
  const m = /^(?:(.+):)?(\d+):(\d+)(?:\/(tcp|udp|sctp))?$/i.exec(text.trim());
  const port = (s: string | undefined, zeroOk: boolean): number | undefined => {
    const n = Number(s);
    return Number.isInteger(n) && n >= (zeroOk ? 0 : 1) && n <= 65535 ? n : undefined;
  };
  const hostPort = port(m?.[2], true);
  const containerPort = port(m?.[3], false);
  if (!m || hostPort === undefined || containerPort === undefined) {
    throw new Error(`extra_port_mappings entry "${text}" must look like "[listenAddress:]hostPort:containerPort[/tcp|udp|sctp]" with ports 0–65535 (container port ≥ 1)`);
  }
  return { containerPort, hostPort, ...(m[1] ? { listenAddress: m[1].replace(/^\[(.*)\]$/, '$1') } : {}), protocol: (m[4]?.toUpperCase() ?? 'TCP') as PortMapping['protocol'] };
}

/** The options of `plugin_config`, schema defaults filled in; values of the wrong type fall back to the default. */
export function kindOptions(config: Readonly<Record<string, unknown>> | undefined, instanceName: string): KindOptions {
  const c = config ?? {};
  const version = str(c['kubernetes_version']);
  const nodeImage = str(c['node_image']);
  const retries = typeof c['retries'] === 'number' ? Math.trunc(c['retries']) : 3;
  const mappings = Array.isArray(c['extra_port_mappings']) ? c['extra_port_mappings'].filter((e): e is string => typeof e === 'string') : [];
  const kindConfig = str(c['kind_config']);
  return {
    clusterName: templateInstanceName(str(c['cluster_name']) ?? instanceName, instanceName),
    ...(kindConfig ? { kindConfig } : {}),
    waitReady: typeof c['wait_ready'] === 'boolean' ? c['wait_ready'] : true,
    waitTimeout: str(c['wait_timeout']) ?? '120s',
    retries: Math.max(1, retries),
    ...(nodeImage ? { image: nodeImage } : version ? { image: `kindest/node:${version}` } : {}),
    apiServerPort: typeof c['api_server_port'] === 'number' ? Math.trunc(c['api_server_port']) : 0,
    extraPortMappings: mappings.flatMap((e) => {
      try {
        return [parsePortMapping(e)];
      } catch {
        return []; // reported by validate
      }
    }),
  };
}

/**
 * What `validate` reports: errors (the create is refused) and warnings (logged).
 * @param pathExists whether `kind_config` exists on the daemon host.
 */
export function validateKindConfig(config: Readonly<Record<string, unknown>> | undefined, pathExists: (p: string) => boolean = existsSync): { errors: string[]; warnings: string[] } {
  const c = config ?? {};
  const errors: string[] = [];
  const warnings: string[] = [];
  const waitTimeout = c['wait_timeout'];
  if (typeof waitTimeout === 'string' && waitTimeout !== '') {
    try {
      parseGoDuration(waitTimeout);
    } catch (err) {
      errors.push(`wait_timeout "${waitTimeout}" is not a valid Go duration (e.g. 120s, 2m): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const port = c['api_server_port'];
  if (port !== undefined && port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    errors.push(`api_server_port ${JSON.stringify(port)} must be an integer from 0 (random) to 65535`);
  }
  const mappings = c['extra_port_mappings'];
  if (mappings !== undefined && mappings !== null) {
    if (!Array.isArray(mappings)) errors.push('extra_port_mappings must be a list of "[listenAddress:]hostPort:containerPort[/protocol]" strings');
    else {
      for (const entry of mappings) {
        try {
          if (typeof entry !== 'string') throw new Error(`extra_port_mappings entry ${JSON.stringify(entry)} must be a string`);
          parsePortMapping(entry);
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }
  }
  const kindConfig = str(c['kind_config']);
  if (kindConfig && !pathExists(kindConfig)) errors.push(`kind_config ${kindConfig} does not exist on the daemon host`);
  if (kindConfig && ((typeof port === 'number' && port !== 0) || (Array.isArray(mappings) && mappings.length > 0))) {
    errors.push('api_server_port and extra_port_mappings only shape the generated cluster config: with kind_config, put them in that file (networking.apiServerPort, nodes[].extraPortMappings)');
  }
  if (str(c['node_image']) && str(c['kubernetes_version'])) errors.push('set node_image or kubernetes_version, not both (kubernetes_version means node_image kindest/node:<version>)');
  if (!str(c['kubernetes_version']) && !str(c['node_image'])) warnings.push("kubernetes_version not specified; will use kind's default");
  if (!kindConfig) warnings.push('kind_config not specified; using a generated single-node config');
  return { errors, warnings };
}

/**
 * The kind cluster config generated when `kind_config` is not given: one control-plane node,
 * the API server on 127.0.0.1 of the instance namespace (port `api_server_port`, omitted for
 * random) and the extra port mappings.
 */
export function clusterConfigYaml(options: Pick<KindOptions, 'apiServerPort' | 'extraPortMappings'>): string {
  const node: Record<string, unknown> = { role: 'control-plane' };
  if (options.extraPortMappings.length > 0) node['extraPortMappings'] = options.extraPortMappings.map((m) => ({ ...m }));
  // JSON is YAML, and kind reads it as such; the yaml package would cost every kernel boot ~50 ms to import.
  const config = {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: { apiServerAddress: '127.0.0.1', ...(options.apiServerPort > 0 ? { apiServerPort: options.apiServerPort } : {}) },
    nodes: [node],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
