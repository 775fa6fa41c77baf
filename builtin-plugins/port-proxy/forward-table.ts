import type { InstancePorts, PortMapping } from '../../plugin-sdk/index.js';
import type { WantedForward } from './published-ports.js';

/** What the table knows about one live forward. Keyed by `port` (the port it dials). */
export interface ForwardRecord {
  /** The namespace port it dials (api-v1 `container_port`). */
  port: number;
  /** The host port it actually listens on. */
  hostPort: number;
  inContainerPort: number;
  label: string;
}

/** How a scan changes an instance's forwards. */
export interface SyncPlan {
  /** Ports nobody forwards yet. */
  add: WantedForward[];
  /** Forwarded ports no running container publishes any more. */
  remove: number[];
  /** Ports still published, now by another container or in-container port (label changes, listener stays). */
  relabel: WantedForward[];
}

/**
 * Compares the forwards an instance has with the ones its containers ask for. A port that
 * is already forwarded — whether on its own number or, after a collision, on a kernel-chosen
 * one — is never opened twice. Pure.
 */
export function planSync(current: ReadonlyMap<number, Pick<ForwardRecord, 'label' | 'inContainerPort'>>, wanted: readonly WantedForward[]): SyncPlan {
  const want = new Map(wanted.map((w) => [w.port, w]));
  const plan: SyncPlan = { add: [], remove: [], relabel: [] };
  for (const w of wanted) {
    const have = current.get(w.port);
    if (!have) plan.add.push(w);
    else if (have.label !== w.label || have.inContainerPort !== w.inContainerPort) plan.relabel.push(w);
  }
  for (const port of current.keys()) if (!want.has(port)) plan.remove.push(port);
  return plan;
}

/** The API v1 `PortMapping` of a forward: `requested_host_port` only after a collision, `in_container_port` only when known. */
export function toPortMapping(r: ForwardRecord): PortMapping {
  return {
    host_port: r.hostPort,
    container_port: r.port,
    ...(r.inContainerPort ? { in_container_port: r.inContainerPort } : {}),
    protocol: 'tcp',
    description: r.label,
    ...(r.hostPort !== r.port ? { requested_host_port: r.port } : {}),
  };
}

/** An instance's `InstancePorts`, ports ordered by host port; `ports: []` when there are none. */
export function toInstancePorts(instance: string, targetIp: string, records: Iterable<ForwardRecord>): InstancePorts {
  const ports = [...records].map(toPortMapping).sort((a, b) => a.host_port - b.host_port);
  return { instance, target_ip: targetIp, ports };
}
