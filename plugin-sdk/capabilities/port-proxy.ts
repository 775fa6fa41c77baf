import { defineCapability } from '../capability.js';

/** One host-side forward (API v1 `PortMapping`). */
export interface PortMapping {
  host_port: number;
  container_port: number;
  in_container_port?: number;
  protocol: 'tcp';
  description: string;
  requested_host_port?: number;
}

export interface InstancePorts {
  instance: string;
  target_ip: string;
  ports: PortMapping[];
}

/** Exposes ports published inside instances on the host. */
export interface PortProxy {
  /** Drops the instance's forwards and rescans. */
  refresh(instance: string): Promise<InstancePorts>;
  /** Closes all forwards of the instance. Idempotent. */
  drop(instance: string): Promise<void>;
  list(instance: string): InstancePorts;
}

export const portProxyCapability = defineCapability<PortProxy, 'single'>({
  id: 'portProxy',
  cardinality: 'single',
  description: 'host TCP forwards for ports published inside instances',
});
