import { DsError } from '../errors.js';
import type { InstanceRecord, StoredStatus } from '../../plugin-sdk/state-types.js';
import type { OpEnv } from './context.js';
import { requireRecord } from './context.js';
import { rfc3339Nano } from './time.js';

/** Marks an instance as being operated on (left behind only if the daemon dies mid-way). */
export async function markOperation(env: OpEnv, name: string, kind: string, label?: string): Promise<InstanceRecord> {
  return env.state.update((s) => {
    const rec = s.instances[name];
    if (!rec) throw new DsError('DS_ERR_NOT_FOUND', `instance not found: "${name}"`, { details: { instance: name } });
    rec.operation = { kind, id: env.op.id, started_at: rfc3339Nano(), ...(label === undefined ? {} : { label }) };
    return structuredClone(rec);
  });
}

/** Applies `fn` to the row (if it still exists), clears the marker and sets the status. */
export async function finishOperation(env: OpEnv, name: string, status: StoredStatus | undefined, fn?: (rec: InstanceRecord) => void, reason?: string): Promise<InstanceRecord | undefined> {
  return env.state.update((s) => {
    const rec = s.instances[name];
    if (!rec) return undefined;
    fn?.(rec);
    delete rec.operation;
    if (status) rec.status = status;
    if (status === 'error' && reason) rec.error_reason = reason;
    else if (status) delete rec.error_reason;
    return structuredClone(rec);
  });
}

export { requireRecord };

/**
 * Ends a failed operation: an instance that should run but no longer does is marked
 * `error` with the reason; anything else keeps its stored status.
 */
export async function failOperation(env: OpEnv, rec: InstanceRecord, err: unknown): Promise<void> {
  const live = await env.dockerd.isRunning(rec.name).catch(() => false);
  const broken = rec.status === 'running' && !live;
  await finishOperation(env, rec.name, broken ? 'error' : undefined, undefined, broken ? `${env.op.kind} failed and left dockerd stopped: ${err instanceof Error ? err.message : String(err)}` : undefined);
}
