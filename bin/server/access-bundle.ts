import type { InstancePorts } from '../../plugin-sdk/capabilities/port-proxy.js';
import type { AccessResponse } from '../../plugin-sdk/capabilities/workload.js';

/** The access bundle as the API sends it (api-v1 §6.12). */
export interface WireAccess {
  contract_version: string;
  env: Record<string, string>;
  files?: Array<{ name: string; content: string; mode?: string }>;
  endpoints?: Array<Record<string, unknown>>;
}

/**
 * `${HOST}` (plugin-contract §10): `api.proxy_bind` unless empty or `0.0.0.0`, else the host
 * part of the request's `Host` header (port removed, IPv6 without brackets), else `127.0.0.1`.
 */
export function accessHost(proxyBind: string, hostHeader: string | undefined): string {
  if (proxyBind !== '' && proxyBind !== '0.0.0.0') return proxyBind;
  const raw = (hostHeader ?? '').trim();
  if (raw === '') return '127.0.0.1';
  const v6 = /^\[([^\]]+)\](?::\d*)?$/.exec(raw);
  if (v6) return v6[1]!;
  const colon = raw.lastIndexOf(':');
  return colon >= 0 && raw.indexOf(':') === colon ? raw.slice(0, colon) || '127.0.0.1' : raw;
}

/**
 * Replaces `${HOST}` and `${PORT:<label>}` in one pass (replacement text is not re-scanned);
 * an unknown label is left untouched. `${ACCESS_DIR}` is the CLI's business and stays literal.
 */
export function substituteTokens(text: string, host: string, ports: ReadonlyMap<string, number>): string {
  return text.replace(/\$\{(HOST|PORT:([^}]+))\}/g, (whole, _token: string, label: string | undefined) => {
    if (label === undefined) return host;
    const port = ports.get(label);
    return port === undefined ? whole : String(port);
  });
}

/** Port labels (proxy descriptions) to host ports. */
export function portsByLabel(ports: InstancePorts | undefined): Map<string, number> {
  return new Map((ports?.ports ?? []).map((p) => [p.description, p.host_port]));
}

/**
 * The daemon's side of `access` (plugin-contract §10): tokens resolved in env values, file
 * contents and endpoint URLs; an endpoint with a known `host_port_label` gets the synthesised
 * `<scheme|https>://<HOST>:<port>` URL; empty `files`/`endpoints` dropped; then `DOCKER_HOST`
 * and `DOCKERSNAP_INSTANCE` always set by the daemon.
 */
export function resolveAccess(raw: AccessResponse, instance: { name: string; socket: string }, host: string, ports: ReadonlyMap<string, number>): WireAccess {
  const sub = (s: string) => substituteTokens(s, host, ports);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.env ?? {})) env[k] = sub(String(v));
  env['DOCKER_HOST'] = `unix://${instance.socket}`;
  env['DOCKERSNAP_INSTANCE'] = instance.name;
  const files = (raw.files ?? []).map((f) => ({ name: f.name, content: sub(f.content ?? ''), ...(f.mode === undefined ? {} : { mode: f.mode }) }));
  const endpoints = (raw.endpoints ?? []).map((e) => {
    const label = typeof e['host_port_label'] === 'string' ? e['host_port_label'] : '';
    const port = label === '' ? undefined : ports.get(label);
    if (port !== undefined) return { ...e, url: `${typeof e['scheme'] === 'string' && e['scheme'] !== '' ? e['scheme'] : 'https'}://${host}:${port}` };
    return typeof e['url'] === 'string' ? { ...e, url: sub(e['url']) } : { ...e };
  });
  return {
    contract_version: raw.contract_version ?? '1',
    env,
    ...(files.length > 0 ? { files } : {}),
    ...(endpoints.length > 0 ? { endpoints } : {}),
  };
}

/** The bundle of an instance without a workload: only the daemon's two variables. */
export function plainAccess(instance: { name: string; socket: string }): WireAccess {
  return { contract_version: '1', env: { DOCKER_HOST: `unix://${instance.socket}`, DOCKERSNAP_INSTANCE: instance.name } };
}
