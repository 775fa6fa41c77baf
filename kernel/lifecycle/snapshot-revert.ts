import { DsError, errorMessage } from '../errors.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { baseContext, fire, type OpEnv } from './context.js';
import { dropCaches, startRuntime, stopRuntime, syncFilesystems } from './runtime.js';
import { failOperation, finishOperation, markOperation, requireRecord } from './state-ops.js';
import { rfc3339Nano } from './time.js';

/**
 * The shared "stopped storage op" (the original's runStoppedZFSOp): stop → sync → storage
 * mutation → start again. Unlike the original, an instance that was stopped stays stopped.
 */
async function whileStopped<T>(env: OpEnv, rec: InstanceRecord, reason: 'snapshot' | 'revert', mutate: () => Promise<T>, afterMutate?: () => Promise<void>): Promise<T> {
  const wasRunning = await env.dockerd.isRunning(rec.name);
  if (wasRunning) await stopRuntime(env, rec, reason);
  await syncFilesystems(env);
  let out: T;
  try {
    out = await mutate();
  } catch (err) {
    if (wasRunning) await startRuntime(env, rec, 'Restarting dockerd...').catch((e: unknown) => env.log.error({ err: errorMessage(e) }, `restart after failed ${reason} failed`));
    throw err;
  }
  await afterMutate?.();
  if (wasRunning) await startRuntime(env, rec, 'Restarting dockerd...');
  return out;
}

export interface SnapshotOptions {
  tags?: Record<string, string>;
  /** Who creates it (a client label); clients refuse to delete snapshots they do not own. */
  owner?: string;
}

export async function snapshotInstance(env: OpEnv, name: string, label: string, options: SnapshotOptions = {}): Promise<void> {
  const rec0 = await requireRecord(env.state, name);
  if ((rec0.snapshots ?? []).some((s) => s.label === label)) {
    throw new DsError('DS_ERR_EXISTS', `snapshot "${label}" already exists for instance "${name}"`, { details: { instance: name, label } });
  }
  const rec = await markOperation(env, name, 'snapshot', label);
  const ctx = { ...baseContext(env, name, rec), label };
  try {
    await fire(env, 'preSnapshot', ctx);
    await whileStopped(env, rec, 'snapshot', () =>
      env.op.step('zfs_snapshot', `Creating "${label}"...`, `${env.storage.kind} snapshot created`, () => env.storage.snapshot(name, label)),
    );
  } catch (err) {
    await failOperation(env, rec, err);
    throw err;
  }
  await finishOperation(env, name, undefined, (r) => {
    r.snapshots = [...(r.snapshots ?? []), { label, created_at: rfc3339Nano(), ...(options.tags && Object.keys(options.tags).length > 0 ? { tags: options.tags } : {}), ...(options.owner ? { owner: options.owner } : {}) }];
  });
  await fire(env, 'postSnapshot', ctx);
  env.op.emit({ step: 'complete', status: 'done', message: `Snapshot "${label}" created successfully` });
}

export async function revertInstance(env: OpEnv, name: string, label: string, force: boolean): Promise<void> {
  const rec0 = await requireRecord(env.state, name);
  const snaps = rec0.snapshots ?? [];
  const at = snaps.findIndex((s) => s.label === label);
  if (at < 0) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${name}"`, { details: { instance: name, label } });
  const newer = snaps.slice(at + 1).map((s) => s.label);
  if (newer.length > 0 && !force) {
    throw new DsError('DS_ERR_CONFLICT', `reverting "${name}" to "${label}" would destroy the newer snapshots ${newer.map((l) => `"${l}"`).join(', ')}; pass force (--force) to destroy them`, { details: { instance: name, label, newer } });
  }
  const rec = await markOperation(env, name, 'revert', label);
  const ctx = { ...baseContext(env, name, rec), label, newerSnapshots: newer };
  try {
    await fire(env, 'preRollback', ctx);
    await whileStopped(env, rec, 'revert', () => env.op.step('zfs_rollback', `Rolling back to "${label}"...`, `${env.storage.kind} rollback complete`, () => env.storage.revert(name, label)), () => dropCaches(env));
  } catch (err) {
    await failOperation(env, rec, err);
    throw err;
  }
  await finishOperation(env, name, undefined, (r) => {
    const i = (r.snapshots ?? []).findIndex((s) => s.label === label);
    r.snapshots = (r.snapshots ?? []).slice(0, i + 1);
  });
  await fire(env, 'postRollback', ctx);
  env.op.emit({ step: 'complete', status: 'done', message: `Reverted to "${label}" successfully` });
}

/** Removes one snapshot (client `deleteSnapshot`). Refuses one another client owns unless forced. */
export async function deleteSnapshot(env: OpEnv, name: string, label: string, options: { owner?: string; force?: boolean } = {}): Promise<void> {
  const rec = await requireRecord(env.state, name);
  const snap = (rec.snapshots ?? []).find((s) => s.label === label);
  if (!snap) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${name}"`, { details: { instance: name, label } });
  if (!options.force && snap.owner !== options.owner) {
    throw new DsError('DS_ERR_CONFLICT', `snapshot "${label}" of "${name}" was created by ${snap.owner ? `"${snap.owner}"` : 'someone else'}, not by this client; pass force to delete it anyway`, { details: { instance: name, label, owner: snap.owner ?? null } });
  }
  await env.op.step('destroy_snapshot', `Destroying snapshot "${label}"...`, 'Snapshot destroyed', () => env.storage.destroySnapshot(name, label));
  await finishOperation(env, name, undefined, (r) => {
    r.snapshots = (r.snapshots ?? []).filter((s) => s.label !== label);
  });
  env.op.emit({ step: 'complete', status: 'done', message: `Snapshot "${label}" deleted` });
}
