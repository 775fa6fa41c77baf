/**
 * Pure rules of port discovery (instance-lifecycle §13): which published ports of which
 * containers become host forwards, and under which label.
 */

/** One running container as the scan sees it: its id and `NetworkSettings.Ports`. */
export interface ContainerPorts {
  id: string;
  /** `"<port>/<proto>"` → bindings; `null` for a port that is exposed but not published. */
  ports: Readonly<Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null>> | null | undefined;
}

/** A forward the scan wants: host port P (ideally) → `<nsIp>:P`. */
export interface WantedForward {
  /** The port Docker published inside the namespace: what the proxy dials, and the host port it asks for. */
  port: number;
  /** The port inside the container (6443, 8080 …). */
  inContainerPort: number;
  /** `kubernetes-api` or `container:<id12>/<port>/<proto>`; the `${PORT:<label>}` key. */
  label: string;
  /** True when every binding of P is on a loopback address (the publisher does not answer on nsIp). */
  loopbackOnly: boolean;
}

/** The in-container port the original treats as the Kubernetes API server. */
export const KUBERNETES_API_PORT = 6443;

/** The label of a published port (api-v1 §8.2 `description`). */
export function portLabel(containerId: string, inContainerPort: number, proto: string): string {
  return inContainerPort === KUBERNETES_API_PORT ? 'kubernetes-api' : `container:${containerId.slice(0, 12)}/${inContainerPort}/${proto}`;
}

/** A `HostPort` as a usable port number: non-empty, decimal, 1–65535; else undefined. */
export function parseHostPort(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text.trim())) return undefined;
  const port = Number(text.trim());
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** `127.0.0.0/8` and `::1`: a publisher bound there is not reachable on the namespace address. */
export function isLoopbackHostIp(hostIp: string | undefined): boolean {
  const ip = (hostIp ?? '').trim();
  return ip.startsWith('127.') || ip === '::1' || ip === '::ffff:127.0.0.1';
}

/** `"8080/tcp"` → `[8080, "tcp"]`; a key without a protocol is TCP (Docker's default). */
function splitPortKey(key: string): [number, string] | undefined {
  const [port, proto = 'tcp'] = key.split('/');
  const n = parseHostPort(port);
  return n === undefined ? undefined : [n, proto.toLowerCase()];
}

/**
 * The forwards a set of running containers asks for, one per published port P, ordered by P.
 * Only TCP is forwarded (the proxy is a TCP proxy; a UDP publish has nothing to accept).
 * When two bindings publish the same P (IPv4 and IPv6 of one port, as Docker does), the
 * first container (in the order given) names it. Pure.
 */
export function wantedForwards(containers: readonly ContainerPorts[]): WantedForward[] {
  const byPort = new Map<number, WantedForward>();
  for (const c of containers) {
    for (const [key, bindings] of Object.entries(c.ports ?? {})) {
      const parsed = splitPortKey(key);
      if (!parsed || parsed[1] !== 'tcp' || !bindings) continue;
      const [inContainerPort, proto] = parsed;
      for (const b of bindings) {
        const port = parseHostPort(b.HostPort);
        if (port === undefined) continue;
        const seen = byPort.get(port);
        const loopback = isLoopbackHostIp(b.HostIp);
        if (seen) seen.loopbackOnly &&= loopback;
        else byPort.set(port, { port, inContainerPort, label: portLabel(c.id, inContainerPort, proto), loopbackOnly: loopback });
      }
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}
