import type { Exec } from '../../plugin-sdk/index.js';

/** Tags the rules in the namespace's nat table, so they can be told apart from Docker's. */
export const DNAT_COMMENT = 'dockersnap-port-proxy';

/**
 * The namespace rule that makes `nsIp:port` reach a publisher bound to the namespace's
 * loopback (instance-lifecycle §13; `route_localnet`, set by the netns plugin, lets the
 * rewritten packet be routed to 127.0.0.1). Pure.
 */
export function dnatRule(nsIp: string, port: number): string[] {
  return ['PREROUTING', '-d', `${nsIp}/32`, '-p', 'tcp', '-m', 'tcp', '--dport', String(port), '-m', 'comment', '--comment', DNAT_COMMENT, '-j', 'DNAT', '--to-destination', `127.0.0.1:${port}`];
}

/**
 * Adds the rule inside the namespace unless it is there (`-C`, then `-A`). The rule lives
 * and dies with the namespace, so nothing on the host needs cleaning up.
 * @returns whether the rule is in place; never throws (a failure leaves the nsenter fallback).
 */
export async function ensureLoopbackDnat(exec: Exec, netnsPath: string, nsIp: string, port: number): Promise<boolean> {
  const iptables = (op: '-C' | '-A') => exec('nsenter', [`--net=${netnsPath}`, '--', 'iptables', '-w', '5', '-t', 'nat', op, ...dnatRule(nsIp, port)], { reject: false, timeoutMs: 10_000 });
  try {
    if ((await iptables('-C')).exitCode === 0) return true;
    return (await iptables('-A')).exitCode === 0;
  } catch {
    return false;
  }
}
