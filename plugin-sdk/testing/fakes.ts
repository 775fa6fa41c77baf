import { createHash } from 'node:crypto';
import { DsError, errorMessage } from '../../kernel/errors.js';
import { decodeState } from '../state-document.js';
import { linkAddresses } from '../../kernel/subnet.js';
import { emptyState, type StateDocument } from '../state-types.js';
import type { StateStore } from '../capabilities/state.js';
import type { NetnsInfo, NetnsManager, NetnsSpec } from '../capabilities/netns.js';
import type { DockerdInfo, DockerdSpec, DockerdSupervisor, StopOptions } from '../capabilities/dockerd.js';
import type { InstancePorts, PortProxy } from '../capabilities/port-proxy.js';
import type { AccessResponse, ConfigOption, HealthResponse, WorkloadDriver, WorkloadInput, WorkloadSchema } from '../capabilities/workload.js';

interface MemorySlot {
  doc: StateDocument;
  queue: Promise<unknown>;
}

const memorySlots = new Map<string, MemorySlot>();

/**
 * In-memory StateStore with the same semantics as state-json (copy on view, all-or-nothing,
 * validated update). Stores built with the same `location` share one document, the way two
 * JSON stores on one file do; without one, each store is private.
 */
export class MemoryStateStore implements StateStore {
  readonly location: string;
  private readonly slot: MemorySlot;

  constructor(location?: string) {
    this.location = location ?? 'memory';
    const shared = location === undefined ? undefined : memorySlots.get(location);
    this.slot = shared ?? { doc: emptyState(), queue: Promise.resolve() };
    if (location !== undefined && !shared) memorySlots.set(location, this.slot);
  }

  async view<R>(fn: (state: Readonly<StateDocument>) => R | Promise<R>): Promise<R> {
    return fn(structuredClone(this.slot.doc));
  }

  update<R>(fn: (state: StateDocument) => R | Promise<R>): Promise<R> {
    const slot = this.slot;
    const run = slot.queue.then(async () => {
      const draft = structuredClone(slot.doc);
      const result = await fn(draft);
      let next: StateDocument;
      try {
        next = decodeState(structuredClone(draft));
      } catch (err) {
        throw new DsError('DS_ERR_INTERNAL', `refusing to keep an invalid state in memory: ${errorMessage(err)}`, { cause: err });
      }
      slot.doc = next;
      return structuredClone(result);
    });
    slot.queue = run.catch(() => undefined);
    return run;
  }
}

/** Records namespaces instead of creating them. */
export class FakeNetns implements NetnsManager {
  readonly live = new Set<string>();
  readonly calls: string[] = [];

  describe(spec: NetnsSpec): NetnsInfo {
    const link = linkAddresses(spec.subnet);
    // Same naming rule as the netns plugin: `ve-<name>` when it fits 15 chars, else a hash.
    const hostVeth = spec.instance.length <= 12 ? `ve-${spec.instance}` : `ve-${createHash('sha256').update(spec.instance).digest('hex').slice(0, 8)}`;
    return { name: `ds-${spec.instance}`, path: `/run/netns/ds-${spec.instance}`, hostVeth, hostIp: link.hostIp, nsIp: link.nsIp };
  }

  async setup(spec: NetnsSpec): Promise<NetnsInfo> {
    this.calls.push(`setup ${spec.instance}`);
    this.live.add(spec.instance);
    return this.describe(spec);
  }

  async teardown(spec: NetnsSpec): Promise<void> {
    this.calls.push(`teardown ${spec.instance}`);
    this.live.delete(spec.instance);
  }

  async exists(instance: string): Promise<boolean> {
    return this.live.has(instance);
  }
}

/** A dockerd supervisor that only keeps a running set; `failStart` provokes start failures. */
export class FakeDockerd implements DockerdSupervisor {
  readonly running = new Map<string, DockerdSpec>();
  readonly failStart = new Set<string>();
  readonly calls: string[] = [];
  private pid = 1000;

  async start(spec: DockerdSpec): Promise<DockerdInfo> {
    this.calls.push(`start ${spec.instance}`);
    if (this.failStart.has(spec.instance)) throw new DsError('DS_ERR_DOCKERD', `dockerd for "${spec.instance}" did not start (injected failure)`);
    this.running.set(spec.instance, spec);
    return { pid: ++this.pid, socket: this.socketPath(spec.instance) };
  }

  async stop(instance: string, options: StopOptions = {}): Promise<void> {
    this.calls.push(`stop ${instance}`);
    if (!this.running.has(instance)) return;
    await options.beforeDaemonStop?.();
    this.running.delete(instance);
  }

  async isRunning(instance: string): Promise<boolean> {
    return this.running.has(instance);
  }

  async purge(instance: string): Promise<void> {
    this.calls.push(`purge ${instance}`);
    this.running.delete(instance);
  }

  socketPath(instance: string): string {
    return `/fake/run/${instance}.sock`;
  }

  pidFile(instance: string): string {
    return `/fake/run/${instance}.pid`;
  }
}

export class FakePortProxy implements PortProxy {
  readonly tables = new Map<string, InstancePorts>();

  async refresh(instance: string): Promise<InstancePorts> {
    return this.list(instance);
  }

  async drop(instance: string): Promise<void> {
    this.tables.delete(instance);
  }

  list(instance: string): InstancePorts {
    return this.tables.get(instance) ?? { instance, target_ip: '', ports: [] };
  }
}

/** A workload that records every call; `failOn` makes one command throw. */
export class FakeWorkload implements WorkloadDriver {
  readonly calls: Array<{ command: string; input?: WorkloadInput }> = [];
  failOn: string | undefined;
  /** The `config_options` its schema declares (the daemon refuses undeclared config keys). */
  configOptions: ConfigOption[] = [];

  constructor(private readonly name = 'fake') {}

  private record(command: string, input?: WorkloadInput): void {
    this.calls.push(input ? { command, input } : { command });
    if (this.failOn === command) throw new DsError('DS_ERR_PLUGIN_FAILED', `plugin ${this.name} ${command}: injected failure`);
  }

  async schema(): Promise<WorkloadSchema> {
    this.record('schema');
    return { plugin_name: this.name, plugin_version: '0.0.0', supported_contract_versions: ['1'], config_options: this.configOptions.map((o) => ({ ...o })) };
  }
  async validate(input: WorkloadInput) {
    this.record('validate', input);
    return { valid: true };
  }
  async deploy(input: WorkloadInput): Promise<void> {
    this.record('deploy', input);
  }
  async teardown(input: WorkloadInput): Promise<void> {
    this.record('teardown', input);
  }
  async access(input: WorkloadInput): Promise<AccessResponse> {
    this.record('access', input);
    return { contract_version: '1', env: {} };
  }
  async describe(input: WorkloadInput): Promise<Record<string, unknown>> {
    this.record('describe', input);
    return { workload_type: this.name, status: 'ready' };
  }
  async health(input: WorkloadInput): Promise<HealthResponse> {
    this.record('health', input);
    return { healthy: true, checks: [] };
  }
}
