import type { AccessResponse } from '../../plugin-sdk/capabilities/workload.js';
import type { PortMapping } from '../../plugin-sdk/capabilities/port-proxy.js';

/**
 * Daemon-side token substitution in an `access` response (plugin-contract-v1 §10).
 * `${ACCESS_DIR}` is the CLI's and stays literal here.
 */

export interface AccessTokenContext {
  /** What `${HOST}` becomes — see {@link hostFor}. */
  host: string;
  /** The instance's forwards; a forward's label is its `description`. */
  ports: readonly Pick<PortMapping, 'description' | 'host_port'>[];
  /** The instance's dockerd socket path (`env.DOCKER_HOST = unix://<socket>`). */
  socket: string;
  /** The instance name (`env.DOCKERSNAP_INSTANCE`). */
  instance: string;
}

/** `${HOST}` or `${PORT:<one or more non-} chars>}`; one regex so replacements are never re-scanned. */
const TOKEN = /\$\{HOST\}|\$\{PORT:([^}]+)\}/g;

/**
 * What `${HOST}` stands for: `api.proxy_bind` unless empty or `0.0.0.0`; else the host part
 * of the request's `Host` header (port removed, IPv6 without brackets); else `127.0.0.1`.
 * Pure.
 */
export function hostFor(proxyBind: string | undefined, hostHeader: string | undefined): string {
  if (proxyBind && proxyBind !== '0.0.0.0') return proxyBind;
  const header = (hostHeader ?? '').trim();
  if (header === '') return '127.0.0.1';
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end > 0 ? header.slice(1, end) : header;
  }
  const colon = header.indexOf(':');
  // One colon: host:port. Several: a bare IPv6 address (net.SplitHostPort refuses it), kept whole.
  if (colon >= 0 && header.indexOf(':', colon + 1) < 0) return header.slice(0, colon) || '127.0.0.1';
  return header;
}

/** Replaces `${HOST}` and known `${PORT:<label>}` tokens in one pass; unknown labels stay. */
export function substituteTokens(text: string, host: string, portOf: (label: string) => number | undefined): string {
  return text.replace(TOKEN, (whole, label: string | undefined) => {
    if (label === undefined) return host;
    const port = portOf(label);
    return port === undefined ? whole : String(port);
  });
}

function sortedEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

type Endpoint = Record<string, unknown>;

function resolveEndpoint(e: Endpoint, host: string, portOf: (label: string) => number | undefined): Endpoint {
  const label = typeof e['host_port_label'] === 'string' ? e['host_port_label'] : '';
  const port = label ? portOf(label) : undefined;
  if (port !== undefined) {
    const scheme = typeof e['scheme'] === 'string' && e['scheme'] !== '' ? e['scheme'] : 'https';
    return { ...e, url: `${scheme}://${host}:${port}` };
  }
  return typeof e['url'] === 'string' ? { ...e, url: substituteTokens(e['url'], host, portOf) } : { ...e };
}

/**
 * The `access` response as the API returns it (§10): tokens substituted in `env` values,
 * `files[].content` and `endpoints[].url` (nowhere else); endpoint URLs synthesised from a
 * known `host_port_label` (overwriting the plugin's `url`); `env.DOCKER_HOST` and
 * `env.DOCKERSNAP_INSTANCE` always set by the daemon; empty `files`/`endpoints` dropped;
 * `contract_version` passed through. `env` keys come out sorted, as Go marshals a map.
 * Pure: `access` is not modified. If several forwards share a label, the first wins.
 */
export function resolveAccess(access: AccessResponse, ctx: AccessTokenContext): AccessResponse {
  const ports = new Map<string, number>();
  for (const p of ctx.ports) if (!ports.has(p.description)) ports.set(p.description, p.host_port);
  const portOf = (label: string) => ports.get(label);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(access.env ?? {})) env[k] = substituteTokens(String(v), ctx.host, portOf);
  env['DOCKER_HOST'] = `unix://${ctx.socket}`;
  env['DOCKERSNAP_INSTANCE'] = ctx.instance;
  const files = (access.files ?? []).map((f) => ({ ...f, content: substituteTokens(f.content ?? '', ctx.host, portOf) }));
  const endpoints = (access.endpoints ?? []).map((e) => resolveEndpoint(e, ctx.host, portOf));
  const out: AccessResponse = {};
  if (access.contract_version !== undefined) out.contract_version = access.contract_version;
  out.env = sortedEnv(env);
  if (files.length > 0) out.files = files;
  if (endpoints.length > 0) out.endpoints = endpoints;
  return out;
}
