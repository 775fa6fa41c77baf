import { DsError } from '../errors.js';
import type { Lease } from '../plugins/generation.js';
import type { DockersnapConfig } from '../config/types.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { workloadCapability, type WorkloadDriver, type WorkloadInput } from '../../plugin-sdk/capabilities/workload.js';
import type { InstancePorts } from '../../plugin-sdk/capabilities/port-proxy.js';
import { linkAddresses } from '../subnet.js';

export const CONTRACT_VERSION = '1';

/** The workload driver bound to a plugin name. @throws DS_ERR_PLUGIN_NOT_FOUND with the original's text. */
export function workloadDriver(lease: Lease, plugin: string): WorkloadDriver {
  const driver = lease.capabilities.getMulti(workloadCapability).get(plugin);
  if (!driver) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${plugin}": plugin "${plugin}" not found`, { details: { plugin } });
  return driver;
}

/** `{{ instance_name }}` in string values (recursively) becomes the instance name. */
export function templateConfig(config: Record<string, unknown>, instance: string): Record<string, unknown> {
  const walk = (v: unknown): unknown =>
    typeof v === 'string'
      ? v.replace(/\{\{\s*instance_name\s*\}\}/g, instance)
      : Array.isArray(v)
        ? v.map(walk)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
          : v;
  return walk(config) as Record<string, unknown>;
}

/** The contract v1 PluginInput for an instance (without `command`, which the runner sets). */
export function workloadInput(rec: InstanceRecord, settings: Readonly<DockersnapConfig>, dataRoot: string, ports?: InstancePorts): WorkloadInput {
  const p = settings.docker.proxy;
  const env: Record<string, string> = {};
  for (const [k, v] of [['HTTP_PROXY', p.http], ['HTTPS_PROXY', p.https], ['NO_PROXY', p.no_proxy]] as const) {
    if (v) {
      env[k] = v;
      env[k.toLowerCase()] = v;
    }
  }
  const link = linkAddresses(rec.subnet);
  const forwarded = (ports?.ports ?? []).map((m) => ({ label: m.description, container_port: m.in_container_port || m.container_port, host_port: m.host_port, protocol: m.protocol }));
  return {
    contract_version: CONTRACT_VERSION,
    instance_name: rec.name,
    instance: {
      name: rec.name,
      socket: rec.socket,
      subnet: rec.subnet,
      data_root: dataRoot,
      host_veth_ip: link.hostIp,
      ns_veth_ip: link.nsIp,
      netns_name: `ds-${rec.name}`,
      metallb_ip: rec.metallb_ip,
      created_at: rec.created_at,
      ...(rec.clone_of ? { clone_of: rec.clone_of } : {}),
    },
    ...(forwarded.length > 0 ? { forwarded_ports: forwarded } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(rec.workload_config && Object.keys(rec.workload_config).length > 0 ? { plugin_config: rec.workload_config } : {}),
  };
}
