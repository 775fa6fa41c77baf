import { DsError } from '../errors.js';
import type { CreateSpec, OperationKind, ReconcileEntry } from '../hooks.js';
import { validateInstanceName, validateSnapshotLabel } from '../names.js';
import type { PluginHost } from '../plugins/host.js';
import type { DockersnapConfig } from '../config/types.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { stateCapability } from '../../plugin-sdk/capabilities/state.js';
import { dockerdCapability } from '../../plugin-sdk/capabilities/dockerd.js';
import { storageCapability } from '../../plugin-sdk/capabilities/storage.js';
import { callHook } from '../hook-taps.js';
import { opEnv, type OpEnv } from './context.js';
import { InstanceLocks, Operation } from './operation.js';
import { createInstance } from './create.js';
import { restartInstance, startInstance, stopInstance } from './start-stop.js';
import { deleteSnapshot, revertInstance, snapshotInstance, type SnapshotOptions } from './snapshot-revert.js';
import { cloneInstance, deleteInstance } from './clone-delete.js';
import { reconcileAll } from './reconcile.js';

/** An instance as the API shows it: the state row with a live status. */
export type InstanceView = Omit<InstanceRecord, 'status' | 'operation'> & { status: 'running' | 'stopped' | 'error' | 'busy' };

/**
 * The one typed lifecycle API. Every mutating call validates its input synchronously
 * (throwing DS_ERR_INVALID_* or DS_ERR_BUSY before anything happens) and returns an
 * Operation: iterate it for progress events, await `result` for the outcome. Operations on
 * different instances run in parallel; a second one on a busy instance fails at once.
 */
export class Instances {
  private readonly locks = new InstanceLocks();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  /** The latest live probe per instance (see `list`); dropped when an operation on it starts or ends. */
  private readonly probes = new Map<string, { at: number; live: Promise<boolean> }>();
  /** Bumped when any operation starts or ends: only operations write the state. */
  private version = 0;
  /** Operations between their start and the end of their work. */
  private running = 0;
  /** The last full list (see `list`), valid while `version` has not moved. */
  private lastList: { at: number; version: number; views: Promise<InstanceView[]> } | undefined;

  constructor(
    private readonly host: PluginHost,
    private readonly settings: Readonly<DockersnapConfig>,
    private readonly log: Logger,
  ) {}

  private run<R>(kind: OperationKind, names: readonly string[], work: (env: OpEnv) => Promise<R>): Operation<R> {
    if (this.shutdown.signal.aborted) throw new DsError('DS_ERR_CONFLICT', 'the daemon is shutting down; try again after it restarted');
    const release = this.locks.acquire(names, kind);
    this.forgetProbes(names);
    this.version += 1;
    this.running += 1;
    const op = new Operation<R>(kind, names[0] ?? '*', async (self) => {
      const lease = this.host.acquire();
      try {
        return await work(opEnv(self as Operation<unknown>, lease, this.log, this.settings, this.shutdown.signal));
      } finally {
        lease.release();
        this.forgetProbes(names);
        this.version += 1;
        this.running -= 1;
        release();
      }
    });
    const settled = op.result.catch(() => undefined);
    this.inflight.add(settled);
    void settled.then(() => this.inflight.delete(settled));
    return op;
  }

  create(spec: CreateSpec): Operation<InstanceRecord> {
    validateInstanceName(spec.name);
    return this.run('create', [spec.name], (env) => createInstance(env, spec));
  }

  start(name: string): Operation<void> {
    return this.run('start', [name], (env) => startInstance(env, name));
  }

  stop(name: string): Operation<void> {
    return this.run('stop', [name], (env) => stopInstance(env, name));
  }

  restart(name: string): Operation<void> {
    return this.run('restart', [name], (env) => restartInstance(env, name));
  }

  snapshot(name: string, label: string, options: SnapshotOptions = {}): Operation<void> {
    validateSnapshotLabel(label);
    return this.run('snapshot', [name], (env) => snapshotInstance(env, name, label, options));
  }

  revert(name: string, label: string, options: { force?: boolean } = {}): Operation<void> {
    validateSnapshotLabel(label);
    return this.run('revert', [name], (env) => revertInstance(env, name, label, options.force === true));
  }

  clone(source: string, label: string, target: string): Operation<InstanceRecord> {
    validateSnapshotLabel(label);
    validateInstanceName(target, 'new_name');
    return this.run('clone', [target, source], (env) => cloneInstance(env, source, label, target));
  }

  delete(name: string): Operation<void> {
    return this.run('delete', [name], (env) => deleteInstance(env, name));
  }

  deleteSnapshot(name: string, label: string, options: { owner?: string; force?: boolean } = {}): Operation<void> {
    validateSnapshotLabel(label);
    return this.run('snapshot', [name], (env) => deleteSnapshot(env, name, label, options));
  }

  /**
   * Every instance with its live status. The live status of each instance is probed (is its
   * dockerd running?) unless `maxAgeMs` allows reusing a probe at most that old: the REST list
   * route passes 1 s, so a client polling the list does not read /proc 20 times per request.
   * Probes are dropped whenever an operation on the instance starts or ends, so only a change
   * from outside (a dockerd killed by hand) can show up to `maxAgeMs` late. With `maxAgeMs`
   * and no operation under way, the whole list (state rows included: only operations write
   * the state) is reused while no operation started or ended since — any list read while no
   * operation runs becomes the one reused; callers must not mutate it.
   */
  async list(options: { maxAgeMs?: number } = {}): Promise<InstanceView[]> {
    const maxAge = options.maxAgeMs ?? 0;
    const now = performance.now();
    const last = this.lastList;
    const quiet = this.running === 0;
    if (maxAge > 0 && quiet && last && last.version === this.version && now - last.at <= maxAge) return last.views;
    const views = this.readList(maxAge);
    if (quiet) {
      const entry = { at: now, version: this.version, views };
      this.lastList = entry;
      views.catch(() => this.lastList === entry && (this.lastList = undefined));
    }
    return views;
  }

  private async readList(maxAge: number): Promise<InstanceView[]> {
    const lease = this.host.acquire();
    try {
      const rows = await lease.capabilities.get(stateCapability).view((s) => Object.values(s.instances));
      const dockerd = lease.capabilities.tryGet(dockerdCapability);
      return await Promise.all(rows.map(async (r) => this.view(r as InstanceRecord, dockerd ? await this.probe(r.name, maxAge, () => dockerd.isRunning(r.name)) : false)));
    } finally {
      lease.release();
    }
  }

  /** A live probe of `name` no older than `maxAgeMs` (0: always a fresh one); concurrent callers share one. */
  private probe(name: string, maxAgeMs: number, isRunning: () => Promise<boolean>): Promise<boolean> {
    const now = performance.now();
    const last = this.probes.get(name);
    if (last && now - last.at <= maxAgeMs) return last.live;
    const live = isRunning();
    const entry = { at: now, live };
    this.probes.set(name, entry);
    live.catch(() => this.probes.get(name) === entry && this.probes.delete(name));
    return live;
  }

  private forgetProbes(names: readonly string[]): void {
    for (const n of names) this.probes.delete(n);
  }

  /**
   * One instance with its live status: reads its row and probes only its dockerd (a probe at
   * most `maxAgeMs` old may be reused, as in `list`).
   * @throws DsError DS_ERR_NOT_FOUND
   */
  async get(name: string, options: { maxAgeMs?: number } = {}): Promise<InstanceView> {
    const lease = this.host.acquire();
    try {
      const row = await lease.capabilities.get(stateCapability).view((s) => (Object.hasOwn(s.instances, name) ? structuredClone(s.instances[name]) : undefined));
      if (!row) throw new DsError('DS_ERR_NOT_FOUND', `instance not found: "${name}"`, { details: { instance: name } });
      const dockerd = lease.capabilities.tryGet(dockerdCapability);
      const live = dockerd ? await this.probe(name, options.maxAgeMs ?? 0, () => dockerd.isRunning(name)) : false;
      return this.view(row as InstanceRecord, live);
    } finally {
      lease.release();
    }
  }

  private view(r: InstanceRecord, live: boolean): InstanceView {
    const status = this.locks.busy(r.name) ? 'busy' : r.status === 'error' && !live ? 'error' : live ? 'running' : 'stopped';
    // A plain spread and an overwrite: rest-destructuring takes V8's slow path (~2 µs a row).
    const v: InstanceRecord = { ...r, snapshots: r.snapshots ?? [], status: status as InstanceRecord['status'] };
    if ('operation' in v) delete v.operation;
    return v as InstanceView;
  }

  /**
   * Prepares the storage pool (creates the default loopback pool on first use). Idempotent.
   * @throws DsError DS_ERR_STORAGE / DS_ERR_CAPABILITY_MISSING — early and visible, not at the first create.
   */
  async prepare(): Promise<{ backend: string; sizeBytes: number; freeBytes: number }> {
    const lease = this.host.acquire();
    try {
      const storage = lease.capabilities.get(storageCapability);
      await storage.init();
      return { backend: storage.kind, ...(await storage.usage()) };
    } finally {
      lease.release();
    }
  }

  /** Prepares storage, reconciles every instance (daemon start), then fires the `reconcile` hook. */
  async reconcile(): Promise<ReconcileEntry[]> {
    await this.prepare();
    const lease = this.host.acquire();
    let names: string[];
    try {
      names = await lease.capabilities.get(stateCapability).view((s) => Object.keys(s.instances));
    } finally {
      lease.release();
    }
    const op = this.run('reconcile', names, (env) => reconcileAll(env, names));
    const entries = await op.result;
    const hookLease = this.host.acquire();
    try {
      const out = await callHook(hookLease.hooks, 'reconcile', { entries, signal: this.shutdown.signal });
      for (const f of out.failures) this.log.warn({ err: f.message }, 'reconcile hook tap failed');
    } finally {
      hookLease.release();
    }
    for (const e of entries) this.log.info({ instance: e.instance, outcome: e.outcome, reason: e.reason }, 'reconciled');
    return entries;
  }

  /** Refuses new operations and waits for the running ones to finish. */
  async drain(): Promise<void> {
    this.shutdown.abort();
    await Promise.all([...this.inflight]);
  }
}
