import { errorMessage } from '../errors.js';
import type { ReconcileEntry } from '../hooks.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import type { OpEnv } from './context.js';
import { removeRow } from './create.js';
import { startRuntime, stopRuntime } from './runtime.js';
import { finishOperation } from './state-ops.js';
import { rfc3339Nano } from './time.js';

/** An operation the daemon did not finish (it died): make the instance whole, or gone. */
async function resolveInterrupted(env: OpEnv, rec: InstanceRecord): Promise<ReconcileEntry | undefined> {
  const op = rec.operation!;
  const entry = { instance: rec.name, stored: rec.status };
  if (op.kind === 'create' || op.kind === 'clone' || op.kind === 'delete') {
    await stopRuntime(env, rec, 'delete').catch(() => undefined);
    await env.storage.destroy(rec.name);
    await env.dockerd.purge?.(rec.name);
    await removeRow(env, rec.name);
    return { ...entry, outcome: 'removed', reason: `an interrupted ${op.kind} was ${op.kind === 'delete' ? 'completed' : 'rolled back'}` };
  }
  if (op.kind === 'snapshot' && op.label && !(rec.snapshots ?? []).some((s) => s.label === op.label)) {
    const exists = (await env.storage.listSnapshots(rec.name)).includes(op.label);
    // The storage snapshot is atomic: it is either whole (adopt it) or absent.
    if (exists) await finishOperation(env, rec.name, undefined, (r) => void (r.snapshots = [...(r.snapshots ?? []), { label: op.label!, created_at: rfc3339Nano() }]));
  }
  if (op.kind === 'revert' && op.label) {
    const onDisk = await env.storage.listSnapshots(rec.name);
    await finishOperation(env, rec.name, undefined, (r) => void (r.snapshots = (r.snapshots ?? []).filter((s) => onDisk.includes(s.label))));
  }
  await finishOperation(env, rec.name, undefined);
  return undefined;
}

/** Operations that stop the runtime and start it again: interrupted, they are finished by a stop and a start. */
const STOPPING_KINDS = new Set(['snapshot', 'revert', 'restart']);

async function reconcileOne(env: OpEnv, rec: InstanceRecord, interrupted: string | undefined): Promise<ReconcileEntry> {
  const entry = { instance: rec.name, stored: rec.status };
  if (!(await env.storage.exists(rec.name))) {
    await finishOperation(env, rec.name, 'error', undefined, 'its dataset is missing');
    return { ...entry, outcome: 'error', reason: 'its dataset is missing' };
  }
  const live = await env.dockerd.isRunning(rec.name);
  if (rec.status !== 'running') return { ...entry, outcome: rec.status === 'error' ? 'error' : 'stopped', ...(rec.error_reason ? { reason: rec.error_reason } : {}) };
  if (interrupted && STOPPING_KINDS.has(interrupted)) {
    // The daemon died between the operation's stop and its start: containers may be stopped
    // under a live dockerd, dockerd may be exiting or restarted by its watcher. Finish it the
    // one robust way — a full stop (which keeps the containers the unfinished stop recorded)
    // and a start (which starts them again).
    try {
      await stopRuntime(env, rec, 'restart');
      await startRuntime(env, rec, 'Restarting dockerd...');
      return { ...entry, outcome: 'restarted', reason: `finished an interrupted ${interrupted}` };
    } catch (err) {
      const reason = `could not restart dockerd after an interrupted ${interrupted}: ${errorMessage(err)}`;
      await finishOperation(env, rec.name, 'error', undefined, reason);
      return { ...entry, outcome: 'error', reason };
    }
  }
  if (live) {
    await env.portProxy?.refresh(rec.name).catch(() => undefined);
    return { ...entry, outcome: 'running' };
  }
  try {
    await startRuntime(env, rec, 'Restarting dockerd...');
    return { ...entry, outcome: 'restarted' };
  } catch (err) {
    const reason = `could not restart dockerd: ${errorMessage(err)}`;
    await finishOperation(env, rec.name, 'error', undefined, reason);
    return { ...entry, outcome: 'error', reason };
  }
}

/**
 * Compares state with reality at daemon start: interrupted operations resolved, `running`
 * instances restarted, missing datasets marked `error`, datasets without a row reported.
 * Never throws for one instance's problem.
 */
export async function reconcileAll(env: OpEnv, names: readonly string[]): Promise<ReconcileEntry[]> {
  const entries: ReconcileEntry[] = [];
  for (const name of names) {
    const rec = await env.state.view((s) => s.instances[name]);
    if (!rec) continue;
    try {
      const resolved = rec.operation ? await resolveInterrupted(env, rec) : undefined;
      if (resolved) entries.push(resolved);
      else entries.push(await reconcileOne(env, (await env.state.view((s) => s.instances[name]))!, rec.operation?.kind));
    } catch (err) {
      entries.push({ instance: name, stored: rec.status, outcome: 'error', reason: errorMessage(err) });
    }
  }
  const known = new Set(await env.state.view((s) => Object.keys(s.instances)));
  for (const orphan of ((await env.storage.list?.()) ?? []).filter((n) => !known.has(n))) {
    entries.push({ instance: orphan, stored: 'none', outcome: 'orphan', reason: `dataset ${env.storage.describe(orphan).dataset} has no state entry; delete it by hand or restore the state file` });
  }
  return entries;
}
