import type { DockerdSupervisor, Exec, InstancePorts, Logger, NetnsManager, PortProxy, StateStore } from '../../plugin-sdk/index.js';
import { scanPublished } from './docker-scan.js';
import { EventWatch } from './event-watch.js';
import { planSync, toInstancePorts } from './forward-table.js';
import { InstanceEntry, type InstanceLocation } from './instance-entry.js';
import { ensureLoopbackDnat } from './loopback-dnat.js';
import { wantedForwards, type WantedForward } from './published-ports.js';
import { TcpForward } from './tcp-forward.js';

/** The capabilities and tools the proxy works with. */
export interface PortProxyDeps {
  state: StateStore;
  dockerd: DockerdSupervisor;
  netns: NetnsManager;
  exec: Exec;
  log: Logger;
}

/** Resolved plugin config (durations in ms). */
export interface PortProxyOptions {
  /** Host address listeners bind to. */
  bind: string;
  /** Periodic rescan of running instances without forwards; 0 disables it. */
  rescanIntervalMs: number;
  eventDebounceMs: number;
  dialTimeoutMs: number;
  scanTimeoutMs: number;
  maxConnections: number;
  /** Add the namespace DNAT rule for loopback-bound publishes. */
  loopbackDnat: boolean;
  /** Dial through `nsenter … socat` when the direct dial fails. */
  nsenterFallback: boolean;
}

/** Why a scan runs (logged). */
export type ScanReason = 'refresh' | 'event' | 'reconnect' | 'periodic' | 'adopt' | 'rollback';

/** How long refresh waits for the event stream before scanning anyway. */
const EVENTS_CONNECT_WAIT_MS = 2000;

/**
 * The `PortProxy` capability: host listeners for every TCP port published inside running
 * instances (instance-lifecycle §13). Forwards follow the containers through the kernel's
 * refresh/drop, each instance's Docker events, a periodic rescan and `postRollback`.
 */
export class PortProxyService implements PortProxy {
  private readonly entries = new Map<string, InstanceEntry>();
  private ticker: NodeJS.Timeout | undefined;
  private sweeping = false;
  private closed = false;

  constructor(
    private readonly deps: PortProxyDeps,
    private readonly options: PortProxyOptions,
  ) {}

  /** Starts the periodic rescan (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.options.rescanIntervalMs <= 0 || this.ticker) return;
    this.ticker = setInterval(() => void this.sweep(), this.options.rescanIntervalMs);
    this.ticker.unref();
  }

  /** Drops the instance's forwards, follows its events and scans it synchronously. */
  async refresh(instance: string): Promise<InstancePorts> {
    await this.drop(instance);
    const entry = this.entry(instance);
    const epoch = entry.epoch;
    const where = await this.locate(instance);
    if (!where || this.closed || entry.epoch !== epoch) return this.list(instance);
    await this.track(entry, where);
    await entry.enqueue(() => this.scan(entry, 'refresh'));
    return this.list(instance);
  }

  /** Closes the instance's listeners and stops following its events. Idempotent. */
  async drop(instance: string): Promise<void> {
    const forwards = this.entry(instance).reset();
    await Promise.all(forwards.map((f) => f.listener.close()));
    if (forwards.length > 0) this.deps.log.info({ instance, forwards: forwards.length }, 'port forwards dropped');
  }

  list(instance: string): InstancePorts {
    const entry = this.entries.get(instance);
    const targetIp = entry?.tracked && entry.where ? entry.where.targetIp : '';
    return toInstancePorts(instance, targetIp, [...(entry?.forwards.values() ?? [])].map((f) => f.record));
  }

  /** Scans a followed instance now and waits for it (no drop first). Untracked instances are left alone. */
  async rescan(instance: string, reason: ScanReason = 'rollback'): Promise<InstancePorts> {
    const entry = this.entries.get(instance);
    if (entry?.tracked) await entry.enqueue(() => this.scan(entry, reason));
    return this.list(instance);
  }

  /** Whether the instance is followed (refreshed or adopted, not dropped). */
  isTracked(instance: string): boolean {
    return this.entries.get(instance)?.tracked === true;
  }

  /** Closes every listener and event stream and waits for scans in flight. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.ticker);
    const entries = [...this.entries.values()];
    await Promise.all(entries.flatMap((e) => e.reset().map((f) => f.listener.close())));
    await Promise.all(entries.map((e) => e.idle()));
  }

  private entry(instance: string): InstanceEntry {
    let entry = this.entries.get(instance);
    if (!entry) this.entries.set(instance, (entry = new InstanceEntry(instance)));
    return entry;
  }

  /** Socket, namespace address and path of an instance, or undefined when it has no state row. */
  private async locate(instance: string): Promise<InstanceLocation | undefined> {
    try {
      const rec = await this.deps.state.view((s) => s.instances[instance]);
      if (!rec) return undefined;
      const ns = this.deps.netns.describe({ instance, subnet: rec.subnet });
      return { socket: this.deps.dockerd.socketPath(instance), targetIp: ns.nsIp, netnsPath: ns.path };
    } catch (err) {
      this.deps.log.warn({ instance, err: (err as Error).message }, 'cannot locate the instance for port forwarding');
      return undefined;
    }
  }

  /** Marks the entry followed and opens its event stream (waiting briefly for it, so no start is missed). */
  private async track(entry: InstanceEntry, where: InstanceLocation): Promise<void> {
    entry.tracked = true;
    entry.where = where;
    const epoch = entry.epoch;
    const events = new EventWatch({
      socketPath: where.socket,
      debounceMs: this.options.eventDebounceMs,
      backoffMs: 500,
      maxBackoffMs: 10_000,
      log: this.deps.log.child({ instance: entry.name }),
      onChange: (reason) => {
        if (entry.epoch === epoch && entry.tracked) void entry.enqueue(() => this.scan(entry, reason));
      },
    });
    entry.events = events;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([events.start(), new Promise((r) => (timer = setTimeout(r, EVENTS_CONNECT_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /**
   * One scan: the running containers' published ports become the instance's forwards —
   * new ports opened, ports nobody publishes any more closed, labels updated. When dockerd
   * does not answer, nothing changes.
   */
  private async scan(entry: InstanceEntry, reason: ScanReason): Promise<void> {
    if (!entry.tracked || !entry.where || this.closed) return;
    const { epoch, where } = entry;
    let wanted: WantedForward[];
    try {
      wanted = wantedForwards(await scanPublished(where.socket, this.options.scanTimeoutMs));
    } catch (err) {
      this.deps.log.debug({ instance: entry.name, reason, err: (err as Error).message }, 'port scan skipped: dockerd does not answer');
      return;
    }
    if (entry.epoch !== epoch) return;
    const plan = planSync(new Map([...entry.forwards].map(([port, f]) => [port, f.record])), wanted);
    for (const port of plan.remove) {
      const gone = entry.forwards.get(port);
      if (!gone || entry.epoch !== epoch) return;
      entry.forwards.delete(port);
      await gone.listener.close();
      this.deps.log.info({ instance: entry.name, hostPort: gone.record.hostPort, label: gone.record.label, reason }, 'port forward removed: no container publishes it any more');
    }
    if (entry.epoch !== epoch) return;
    for (const w of plan.relabel) Object.assign(entry.forwards.get(w.port)?.record ?? {}, { label: w.label, inContainerPort: w.inContainerPort });
    for (const w of plan.add) {
      if (entry.epoch !== epoch) return;
      await this.open(entry, epoch, where, w, reason);
    }
  }

  private async open(entry: InstanceEntry, epoch: number, where: InstanceLocation, w: WantedForward, reason: ScanReason): Promise<void> {
    if (w.loopbackOnly && this.options.loopbackDnat && !(await ensureLoopbackDnat(this.deps.exec, where.netnsPath, where.targetIp, w.port))) {
      this.deps.log.warn({ instance: entry.name, port: w.port }, 'could not add the namespace DNAT rule for a loopback-bound port; connections will go through nsenter');
    }
    let listener: TcpForward;
    try {
      listener = await TcpForward.open({
        bind: this.options.bind,
        port: w.port,
        target: { host: where.targetIp, port: w.port, netnsPath: where.netnsPath },
        dial: { timeoutMs: this.options.dialTimeoutMs, fallback: this.options.nsenterFallback },
        maxConnections: this.options.maxConnections,
        log: this.deps.log.child({ instance: entry.name }),
      });
    } catch (err) {
      this.deps.log.warn({ instance: entry.name, port: w.port, bind: this.options.bind, err: (err as Error).message }, 'cannot listen for a port forward; skipped');
      return;
    }
    if (entry.epoch !== epoch || this.closed) {
      await listener.close();
      return;
    }
    entry.forwards.set(w.port, { listener, record: { port: w.port, hostPort: listener.hostPort, inContainerPort: w.inContainerPort, label: w.label } });
    const fields = { instance: entry.name, hostPort: listener.hostPort, target: `${where.targetIp}:${w.port}`, label: w.label, reason };
    if (listener.hostPort === w.port) this.deps.log.info(fields, 'port forwarded');
    else if (w.port < 32768) this.deps.log.warn({ ...fields, requestedHostPort: w.port }, 'host port in use; forwarding on another port');
    else this.deps.log.info({ ...fields, requestedHostPort: w.port }, 'host port in use; forwarding on another port');
  }

  /**
   * The periodic rescan: running instances without forwards are scanned; running instances
   * nobody refreshed (a plugin reload, a missed start) are adopted. An instance with an
   * operation under way is left to the kernel, and a drop during the sweep wins.
   */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      const before = new Map([...this.entries].map(([name, e]) => [name, e.epoch]));
      const running = await this.deps.state.view((s) => Object.values(s.instances).filter((r) => r.status === 'running' && !r.operation).map((r) => r.name));
      for (const name of running) {
        const entry = this.entry(name);
        if (entry.epoch !== (before.get(name) ?? 0) || this.closed) continue;
        if (entry.tracked) {
          if (entry.forwards.size === 0) void entry.enqueue(() => this.scan(entry, 'periodic'));
          continue;
        }
        if (!(await this.deps.dockerd.isRunning(name))) continue;
        const where = await this.locate(name);
        if (!where || entry.epoch !== (before.get(name) ?? 0) || entry.tracked || this.closed) continue;
        this.deps.log.info({ instance: name }, 'adopting a running instance for port forwarding');
        await this.track(entry, where);
        void entry.enqueue(() => this.scan(entry, 'adopt'));
      }
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'periodic port rescan failed');
    } finally {
      this.sweeping = false;
    }
  }
}
