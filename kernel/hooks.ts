import { AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook } from 'tapable';
import type { InstanceRecord } from '../plugin-sdk/state-types.js';
import type { DatasetInfo } from '../plugin-sdk/capabilities/storage.js';
import type { NetnsInfo } from '../plugin-sdk/capabilities/netns.js';
import type { DockerdInfo } from '../plugin-sdk/capabilities/dockerd.js';
import type { ProgressEvent } from '../plugin-sdk/capabilities/workload.js';

/**
 * The instance-lifecycle hooks: the one place they are built. Every hook takes exactly one
 * context object (tapable bakes arity in, so fields are added, never arguments).
 */

export type OperationKind = 'create' | 'start' | 'stop' | 'restart' | 'snapshot' | 'revert' | 'clone' | 'delete' | 'reconcile';

/** Fields every lifecycle context carries. */
export interface OperationContext {
  /** Which operation fired the hook. */
  readonly op: OperationKind;
  /** Unique id of this operation run (for logs). */
  readonly opId: string;
  /** Instance name. */
  readonly instance: string;
  /** The state record as of the hook (a copy; write through the kernel, not here). */
  readonly record: Readonly<InstanceRecord> | undefined;
  /** Aborted when the operation is being cancelled (daemon shutdown). */
  readonly signal: AbortSignal;
  /** Emits a progress event to the user (CLI spinner, NDJSON stream). */
  progress(event: ProgressEvent): void;
}

export interface CreateSpec {
  name: string;
  workload?: { plugin: string; config?: Record<string, unknown> };
}

export interface PreCreateContext extends OperationContext {
  readonly spec: Readonly<CreateSpec>;
}
/** A veto returned by a `preCreate` tap; the first veto aborts the create. */
export interface Veto {
  reason: string;
}
export interface StorageReadyContext extends OperationContext {
  readonly dataset: Readonly<DatasetInfo>;
}
export interface NetnsReadyContext extends OperationContext {
  readonly netns: Readonly<NetnsInfo>;
}
export interface DockerdReadyContext extends OperationContext {
  readonly dockerd: Readonly<DockerdInfo>;
  readonly netns: Readonly<NetnsInfo>;
}
export interface WorkloadDeployedContext extends OperationContext {
  readonly workload: string;
}
export interface SnapshotContext extends OperationContext {
  readonly label: string;
}
export type StopReason = 'stop' | 'restart' | 'snapshot' | 'revert' | 'delete' | 'shutdown';
export interface StopContext extends OperationContext {
  readonly reason: StopReason;
}
export interface RollbackContext extends OperationContext {
  readonly label: string;
  /** Snapshots newer than `label` that the revert destroys (pre) or destroyed (post). */
  readonly newerSnapshots: readonly string[];
}
export interface CloneContext extends OperationContext {
  readonly source: string;
  readonly label: string;
  /** The new instance's name (same as `instance`). */
  readonly target: string;
}
export type DeleteContext = OperationContext;
export interface ReconcileEntry {
  instance: string;
  stored: string;
  outcome: 'running' | 'restarted' | 'stopped' | 'error' | 'removed' | 'orphan';
  reason?: string;
}
export interface ReconcileContext {
  readonly entries: readonly ReconcileEntry[];
  readonly signal: AbortSignal;
}

/** What the kernel does when a tap fails. */
export type ErrorPolicy = 'abort' | 'collect';

/** Each hook's kind, context and policy. `docs/hooks.md` is generated from the same facts. */
export function createHooks() {
  return Object.freeze({
    /** Before anything is reserved. A tap may veto by returning `{reason}`. */
    preCreate: new AsyncSeriesBailHook<[PreCreateContext], Veto | undefined>(['ctx']),
    /** The instance's dataset exists and is mounted (create, clone). */
    storageReady: new AsyncSeriesHook<[StorageReadyContext]>(['ctx']),
    /** The namespace is up, before dockerd starts in it (every start). */
    netnsReady: new AsyncSeriesHook<[NetnsReadyContext]>(['ctx']),
    /** dockerd answers on its socket (every start). */
    dockerdReady: new AsyncSeriesHook<[DockerdReadyContext]>(['ctx']),
    /** The workload plugin finished `deploy`. */
    workloadDeployed: new AsyncParallelHook<[WorkloadDeployedContext]>(['ctx']),
    preSnapshot: new AsyncSeriesHook<[SnapshotContext]>(['ctx']),
    postSnapshot: new AsyncParallelHook<[SnapshotContext]>(['ctx']),
    /** Containers are stopped; dockerd is still up (stop, snapshot, revert, delete). */
    preStop: new AsyncSeriesHook<[StopContext]>(['ctx']),
    postStop: new AsyncParallelHook<[StopContext]>(['ctx']),
    preRollback: new AsyncSeriesHook<[RollbackContext]>(['ctx']),
    /** After the revert finished and dockerd is back. */
    postRollback: new AsyncParallelHook<[RollbackContext]>(['ctx']),
    preClone: new AsyncSeriesHook<[CloneContext]>(['ctx']),
    postClone: new AsyncParallelHook<[CloneContext]>(['ctx']),
    preDelete: new AsyncSeriesHook<[DeleteContext]>(['ctx']),
    postDelete: new AsyncParallelHook<[DeleteContext]>(['ctx']),
    /** After the daemon compared state with reality at start-up. */
    reconcile: new AsyncParallelHook<[ReconcileContext]>(['ctx']),
  });
}

export type LifecycleHooks = ReturnType<typeof createHooks>;
export type HookName = keyof LifecycleHooks;

/** The error policy of every hook: pre-hooks and in-operation "ready" points abort; post-hooks collect. */
export const HOOK_POLICIES: Readonly<Record<HookName, ErrorPolicy>> = Object.freeze({
  preCreate: 'abort',
  storageReady: 'abort',
  netnsReady: 'abort',
  dockerdReady: 'abort',
  workloadDeployed: 'collect',
  preSnapshot: 'abort',
  postSnapshot: 'collect',
  preStop: 'abort',
  postStop: 'collect',
  preRollback: 'abort',
  postRollback: 'collect',
  preClone: 'abort',
  postClone: 'collect',
  preDelete: 'abort',
  postDelete: 'collect',
  reconcile: 'collect',
});

export const HOOK_NAMES = Object.freeze(Object.keys(HOOK_POLICIES) as HookName[]);

/** The one context object each hook passes to its taps. */
export interface HookContexts {
  preCreate: PreCreateContext;
  storageReady: StorageReadyContext;
  netnsReady: NetnsReadyContext;
  dockerdReady: DockerdReadyContext;
  workloadDeployed: WorkloadDeployedContext;
  preSnapshot: SnapshotContext;
  postSnapshot: SnapshotContext;
  preStop: StopContext;
  postStop: StopContext;
  preRollback: RollbackContext;
  postRollback: RollbackContext;
  preClone: CloneContext;
  postClone: CloneContext;
  preDelete: DeleteContext;
  postDelete: DeleteContext;
  reconcile: ReconcileContext;
}

/** The argument type of a hook's taps. */
export type HookContext<N extends HookName> = HookContexts[N];

// Compile-time proof that the table above matches the hooks createHooks() builds.
type TapArg<H> = H extends { promise: (...args: infer A) => unknown } ? A[0] : never;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const hooksMatchContexts: { [N in HookName]: Exact<TapArg<LifecycleHooks[N]>, HookContexts[N]> } = {
  preCreate: true, storageReady: true, netnsReady: true, dockerdReady: true, workloadDeployed: true,
  preSnapshot: true, postSnapshot: true, preStop: true, postStop: true, preRollback: true,
  postRollback: true, preClone: true, postClone: true, preDelete: true, postDelete: true, reconcile: true,
};
void hooksMatchContexts;
/** What a tap of a hook may return (only `preCreate` returns something meaningful). */
export type HookResult<N extends HookName> = N extends 'preCreate' ? Veto | undefined | void : void;
