import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DsError, type Exec, type Logger, type NetnsInfo, type NetnsManager, type NetnsSpec } from '../../plugin-sdk/index.js';
import { linkAddresses, type LinkAddresses } from '../../plugin-sdk/index.js';
import { TABLES, appendRule, deleteRule, instanceRules, listTagged } from './iptables.js';
import { NS_VETH, netnsNames, type NetnsNames } from './names.js';

/** Where `ip netns` keeps its namespace handles. */
export const RUN_NETNS_DIR = '/run/netns';

export interface HostNetnsOptions {
  /** Parent of the per-namespace `resolv.conf` directories (default `/etc/netns`). */
  etcNetnsDir?: string;
  /** Uplink interface for NAT; empty ⇒ the default route's device. */
  hostInterface?: string;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The real NetnsManager: `ip netns`, a veth pair and tagged iptables rules per instance
 * (instance-lifecycle §3). Setup first removes leftovers, so it is idempotent; teardown
 * removes exactly what setup made (rules matched by their exact comment).
 */
export class HostNetns implements NetnsManager {
  private readonly etcNetnsDir: string;
  private readonly hostInterface: string;

  constructor(
    private readonly exec: Exec,
    private readonly log: Logger,
    options: HostNetnsOptions = {},
  ) {
    this.etcNetnsDir = options.etcNetnsDir ?? '/etc/netns';
    this.hostInterface = options.hostInterface ?? '';
  }

  /** Names and addresses of an instance's namespace; touches nothing. */
  describe(spec: NetnsSpec): NetnsInfo {
    const n = netnsNames(spec.instance);
    const link = linkAddresses(spec.subnet);
    return { name: n.ns, path: join(RUN_NETNS_DIR, n.ns), hostVeth: n.hostVeth, hostIp: link.hostIp, nsIp: link.nsIp };
  }

  /** Whether the namespace handle `/run/netns/ds-<instance>` exists. */
  async exists(instance: string): Promise<boolean> {
    return existsSync(join(RUN_NETNS_DIR, netnsNames(instance).ns));
  }

  /** The directory holding the namespace's `resolv.conf`. */
  resolvDir(instance: string): string {
    return join(this.etcNetnsDir, netnsNames(instance).ns);
  }

  /**
   * Creates namespace, veth pair, addresses, route, sysctls, NAT/forward rules and resolv.conf,
   * after removing leftovers of an earlier run. Rolls back on failure.
   * @throws DsError DS_ERR_NETNS
   */
  async setup(spec: NetnsSpec): Promise<NetnsInfo> {
    const n = netnsNames(spec.instance);
    const link = linkAddresses(spec.subnet);
    await this.teardown(spec);
    try {
      await this.createLink(n, link);
      await mkdir(this.resolvDir(spec.instance), { recursive: true, mode: 0o755 });
      await writeFile(join(this.resolvDir(spec.instance), 'resolv.conf'), `nameserver ${link.hostIp}\n`, { mode: 0o644 });
    } catch (err) {
      await this.teardown(spec).catch((undo: unknown) => this.log.warn({ instance: spec.instance, err: message(undo) }, 'rollback of a failed namespace setup failed'));
      throw new DsError('DS_ERR_NETNS', `setting up network namespace ${n.ns}: ${message(err)}`, { cause: err, details: { instance: spec.instance } });
    }
    await this.tuneSysctls(n);
    await this.addRules(n, link);
    return this.describe(spec);
  }

  /** Steps 1–7: the fatal part. */
  private async createLink(n: NetnsNames, link: LinkAddresses): Promise<void> {
    const ip = (...args: string[]) => this.exec('ip', args);
    const inNs = (...args: string[]) => this.exec('ip', ['-n', n.ns, ...args]);
    await ip('netns', 'add', n.ns);
    await ip('link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.tempPeer);
    await ip('link', 'set', n.tempPeer, 'netns', n.ns);
    await inNs('link', 'set', n.tempPeer, 'name', NS_VETH);
    await ip('addr', 'flush', 'dev', n.hostVeth);
    await ip('addr', 'add', `${link.hostIp}/${link.prefix}`, 'dev', n.hostVeth);
    await ip('link', 'set', n.hostVeth, 'up');
    await inNs('addr', 'add', `${link.nsIp}/${link.prefix}`, 'dev', NS_VETH);
    await inNs('link', 'set', NS_VETH, 'up');
    await inNs('link', 'set', 'lo', 'up');
    await inNs('route', 'add', 'default', 'via', link.hostIp);
  }

  /** Steps 8–9: route_localnet inside (ignored on failure), forwarding on the host (warned). */
  private async tuneSysctls(n: NetnsNames): Promise<void> {
    await this.exec('nsenter', [`--net=${join(RUN_NETNS_DIR, n.ns)}`, 'sysctl', '-q', '-w', `net.ipv4.conf.${NS_VETH}.route_localnet=1`, 'net.ipv4.conf.all.route_localnet=1'], { reject: false });
    await writeFile(`/proc/sys/net/ipv4/conf/${n.hostVeth}/forwarding`, '1').catch((err: unknown) => this.log.warn({ veth: n.hostVeth, err: message(err) }, 'cannot enable forwarding on the host veth'));
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1').catch(() => undefined);
  }

  /** Steps 10–12. Without an uplink there is nothing to NAT to: warn and skip. */
  private async addRules(n: NetnsNames, link: LinkAddresses): Promise<void> {
    const uplink = this.hostInterface || (await this.defaultRouteDevice());
    if (!uplink) {
      this.log.warn({ ns: n.ns }, 'no network.host_interface and no default route: skipping MASQUERADE/FORWARD rules, the instance has no outbound access');
      return;
    }
    for (const rule of instanceRules({ network: link.network, hostVeth: n.hostVeth, uplink, comment: n.comment })) {
      await appendRule(this.exec, rule).catch((err: unknown) => this.log.warn({ ns: n.ns, err: message(err) }, 'cannot add iptables rule'));
    }
  }

  /** The word after `dev` in `ip route show default`, or '' when there is no default route. */
  async defaultRouteDevice(): Promise<string> {
    const res = await this.exec('ip', ['route', 'show', 'default'], { reject: false });
    return /\bdev\s+(\S+)/.exec(res.stdout)?.[1] ?? '';
  }

  /**
   * Removes the instance's tagged rules, veths, namespace and resolv dir. Missing pieces are
   * fine; every step runs even when an earlier one fails.
   * @throws DsError DS_ERR_NETNS listing the pieces that exist but could not be removed.
   */
  async teardown(spec: Pick<NetnsSpec, 'instance'>): Promise<void> {
    const n = netnsNames(spec.instance);
    const failures: string[] = [];
    for (const table of TABLES) {
      const rules = await listTagged(this.exec, table, n.comment).catch((err: unknown) => {
        failures.push(message(err));
        return [];
      });
      for (const rule of rules) {
        const failure = await deleteRule(this.exec, rule);
        if (failure) failures.push(failure);
      }
    }
    for (const dev of [n.hostVeth, n.tempPeer]) {
      if (existsSync(`/sys/class/net/${dev}`)) await this.tryExec(failures, 'ip', ['link', 'del', dev]);
    }
    if (await this.exists(spec.instance)) await this.tryExec(failures, 'ip', ['netns', 'del', n.ns]);
    await rm(this.resolvDir(spec.instance), { recursive: true, force: true }).catch((err: unknown) => failures.push(message(err)));
    if (failures.length > 0) {
      throw new DsError('DS_ERR_NETNS', `tearing down network namespace ${n.ns}: ${failures.join('; ')}`, { details: { instance: spec.instance, failures } });
    }
  }

  private async tryExec(failures: string[], file: string, args: string[]): Promise<void> {
    await this.exec(file, args).catch((err: unknown) => failures.push(message(err)));
  }
}
