import { DsError, toDsError } from '../errors.js';
import type { Lease } from '../plugins/generation.js';
import type { DockersnapConfig } from '../config/types.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { workloadCapability, type WorkloadDriver, type WorkloadInput } from '../../plugin-sdk/capabilities/workload.js';
import { workloadCatalogCapability } from '../../plugin-sdk/capabilities/workload-catalog.js';
import type { InstancePorts } from '../../plugin-sdk/capabilities/port-proxy.js';
import { linkAddresses } from '../subnet.js';

export const CONTRACT_VERSION = '1';

/**
 * The workload driver of a plugin name: an exec plugin of `plugins.dir` (the `workloadCatalog`,
 * which also knows plugins discovered after boot by `POST /api/v1/plugins/reload`) first, then
 * an in-process `workload` capability key. The plugin directory wins a name clash on purpose:
 * a plugin written for the original (its `echo` or `kind` executable) dropped into the
 * directory runs unchanged instead of being shadowed by our builtin of the same name. Drivers
 * of exec plugins look their plugin up on every call, so a driver found here can still fail
 * with "not found"/"disabled" once the plugin is gone.
 * @throws DsError DS_ERR_PLUGIN_NOT_FOUND `plugin "<p>" not found`, or DS_ERR_PLUGIN_DISABLED
 *   `plugin "<p>" is disabled: <reason>` (the catalog's texts, unprefixed).
 */
export function findWorkloadDriver(lease: Lease, plugin: string): WorkloadDriver {
  const catalog = lease.capabilities.tryGet(workloadCatalogCapability);
  if (catalog?.get(plugin)) return catalog.driver(plugin);
  const inProcess = lease.capabilities.getMulti(workloadCapability).get(plugin);
  if (inProcess) return inProcess;
  throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${plugin}" not found`, { details: { plugin } });
}

/** `err` with `plugin "<p>": ` in front of its text (the create-time form, api-v1 §4), code and details kept. */
export function bindingError(plugin: string, err: unknown): DsError {
  const e = toDsError(err, 'DS_ERR_PLUGIN_FAILED');
  const prefix = `plugin "${plugin}": `;
  if (e.message.startsWith(prefix)) return e;
  return new DsError(e.code, `${prefix}${e.message}`, { details: { ...e.details, plugin }, cause: err });
}

/**
 * {@link findWorkloadDriver} for create and delete: failures read
 * `plugin "<p>": plugin "<p>" not found` / `… is disabled: <reason>` (the original's texts).
 */
export function workloadDriver(lease: Lease, plugin: string): WorkloadDriver {
  try {
    return findWorkloadDriver(lease, plugin);
  } catch (err) {
    throw bindingError(plugin, err);
  }
}

/**
 * `err` as the daemon reports a failed plugin command (§13): `plugin <command>: <reason>`.
 * Exec drivers already say it that way (with `details.runner_error`); an in-process driver's
 * error gets the prefix, and its own text becomes `details.runner_error`.
 */
export function commandError(command: string, plugin: string, err: unknown): DsError {
  const e = toDsError(err, 'DS_ERR_PLUGIN_FAILED');
  const code = e.code === 'DS_ERR_INTERNAL' ? 'DS_ERR_PLUGIN_FAILED' : e.code;
  const prefix = `plugin ${command}: `;
  if (e.message.startsWith(prefix) && code === e.code) return e;
  const message = e.message.startsWith(prefix) ? e.message : `${prefix}${e.message}`;
  return new DsError(code, message, { details: { runner_error: e.message, ...e.details, plugin, command }, cause: err });
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
