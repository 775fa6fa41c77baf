import { defineCapability } from '../capability.js';

export interface NetnsInfo {
  /** Namespace name, `ds-<instance>`. */
  name: string;
  /** `/run/netns/ds-<instance>`. */
  path: string;
  hostVeth: string;
  hostIp: string;
  /** The instance's address as seen from the host (its published ports answer here). */
  nsIp: string;
}

export interface NetnsSpec {
  instance: string;
  /** Instance subnet CIDR; the link /30 is taken from its start. */
  subnet: string;
}

/** Per-instance network namespace plumbing. */
export interface NetnsManager {
  /** Creates (or recreates, removing leftovers first) the namespace. @throws DS_ERR_NETNS */
  setup(spec: NetnsSpec): Promise<NetnsInfo>;
  /** Removes exactly what `setup` made. Idempotent; never throws for missing pieces. */
  teardown(spec: NetnsSpec): Promise<void>;
  describe(spec: NetnsSpec): NetnsInfo;
  exists(instance: string): Promise<boolean>;
}

export const netnsCapability = defineCapability<NetnsManager, 'single'>({
  id: 'netns',
  cardinality: 'single',
  description: 'per-instance network namespace, veth and NAT rules',
});
