import { DsError } from '../errors.js';
import { callHook } from '../hook-taps.js';
import type { HookContext, HookName, OperationContext } from '../hooks.js';
import type { Lease } from '../plugins/generation.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { stateCapability, type StateStore } from '../../plugin-sdk/capabilities/state.js';
import { storageCapability, type StorageDriver } from '../../plugin-sdk/capabilities/storage.js';
import { netnsCapability, type NetnsManager } from '../../plugin-sdk/capabilities/netns.js';
import { dockerdCapability, type DockerdSupervisor } from '../../plugin-sdk/capabilities/dockerd.js';
import { portProxyCapability, type PortProxy } from '../../plugin-sdk/capabilities/port-proxy.js';
import type { DockersnapConfig } from '../config/types.js';
import type { Operation } from './operation.js';
import type { Exec } from '../../plugin-sdk/exec.js';
import { createExec } from '../exec.js';

/** Everything one running operation works with: its lease, capabilities and progress sink. */
export interface OpEnv {
  op: Operation<unknown>;
  lease: Lease;
  log: Logger;
  settings: Readonly<DockersnapConfig>;
  signal: AbortSignal;
  state: StateStore;
  storage: StorageDriver;
  netns: NetnsManager;
  dockerd: DockerdSupervisor;
  /** Optional: without a port proxy, ports are simply not forwarded. */
  portProxy: PortProxy | undefined;
  /** The exec wrapper, tagged with this operation. */
  exec: Exec;
}

/** Resolves the capabilities an instance operation needs. @throws DS_ERR_CAPABILITY_MISSING */
export function opEnv(op: Operation<unknown>, lease: Lease, log: Logger, settings: Readonly<DockersnapConfig>, signal: AbortSignal): OpEnv {
  const caps = lease.capabilities;
  const opLog = log.child({ op: op.kind, opId: op.id, instance: op.instance });
  return {
    op,
    lease,
    log: opLog,
    exec: createExec(opLog),
    settings,
    signal,
    state: caps.get(stateCapability),
    storage: caps.get(storageCapability),
    netns: caps.get(netnsCapability),
    dockerd: caps.get(dockerdCapability),
    portProxy: caps.tryGet(portProxyCapability),
  };
}

/** The fields every hook context carries, for this operation and instance. */
export function baseContext(env: OpEnv, instance: string, record: InstanceRecord | undefined): OperationContext {
  return {
    op: env.op.kind,
    opId: env.op.id,
    instance,
    record: record ? structuredClone(record) : undefined,
    signal: env.signal,
    progress: (e) => env.op.emit(e),
  };
}

/**
 * Fires a hook for this operation. Abort-policy failures propagate; collect-policy failures
 * are logged and shown as progress warnings, never thrown.
 */
export async function fire<N extends HookName>(env: OpEnv, name: N, ctx: HookContext<N>): Promise<void> {
  const out = await callHook(env.lease.hooks, name, ctx);
  for (const f of out.failures) {
    env.log.warn({ hook: name, plugin: f.details['plugin'], err: f.message }, 'hook tap failed');
    env.op.emit({ step: `hook_${name}`, status: 'running', message: `warning: ${f.message}` });
  }
  if (name === 'preCreate' && out.result && typeof out.result === 'object' && 'reason' in out.result) {
    throw new DsError('DS_ERR_VETO', `create of "${(ctx as { instance: string }).instance}" was vetoed: ${(out.result as { reason: string }).reason}`);
  }
}

/** Reads one instance row. @throws DsError DS_ERR_NOT_FOUND with the original's text. */
export async function requireRecord(state: StateStore, name: string): Promise<InstanceRecord> {
  const rec = await state.view((s) => s.instances[name]);
  if (!rec) throw new DsError('DS_ERR_NOT_FOUND', `instance not found: "${name}"`, { details: { instance: name } });
  return rec as InstanceRecord;
}
