import { createHash } from 'node:crypto';

/** Linux limits interface names to 15 bytes (IFNAMSIZ - 1). */
const IFNAME_MAX = 15;

/** Every host-side identifier derived from an instance name (instance-lifecycle §1). */
export interface NetnsNames {
  /** Namespace name, `ds-<instance>`. */
  ns: string;
  /** Host-side veth: `ve-<instance>`, or `ve-` + 8 hex of sha256(instance) when too long. */
  hostVeth: string;
  /** Temporary name of the namespace-side peer before it is renamed `veth0`. */
  tempPeer: string;
  /** The iptables comment tagging this instance's rules. */
  comment: string;
}

/** The interface name of the peer once it lives inside the namespace. */
export const NS_VETH = 'veth0';

/**
 * Derives the namespace, veth and iptables-comment names of an instance. Pure; the long-name
 * rule and the temp peer name match the original, so both can manage the same host.
 */
export function netnsNames(instance: string): NetnsNames {
  const plain = `ve-${instance}`;
  const hostVeth = plain.length <= IFNAME_MAX ? plain : `ve-${createHash('sha256').update(instance).digest('hex').slice(0, 8)}`;
  return {
    ns: `ds-${instance}`,
    hostVeth,
    tempPeer: `vt-${hostVeth.slice(3)}`.slice(0, IFNAME_MAX),
    comment: `dockersnap-${instance}`,
  };
}
