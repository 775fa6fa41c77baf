import { DsError, errorMessage } from '../errors.js';
import type { OpEnv } from './context.js';
import { failOperation, finishOperation, markOperation, requireRecord } from './state-ops.js';
import { startRuntime, stopRuntime } from './runtime.js';

export async function startInstance(env: OpEnv, name: string): Promise<void> {
  await requireRecord(env.state, name);
  if (await env.dockerd.isRunning(name)) throw new DsError('DS_ERR_CONFLICT', `instance "${name}" is already running`, { details: { instance: name } });
  const rec = await markOperation(env, name, 'start');
  try {
    await startRuntime(env, rec);
  } catch (err) {
    await finishOperation(env, name, 'error', undefined, `start failed: ${errorMessage(err)}`);
    throw err;
  }
  await finishOperation(env, name, 'running');
  env.op.emit({ step: 'complete', status: 'done', message: `Instance "${name}" started` });
}

export async function stopInstance(env: OpEnv, name: string): Promise<void> {
  await requireRecord(env.state, name);
  if (!(await env.dockerd.isRunning(name))) throw new DsError('DS_ERR_CONFLICT', `instance "${name}" is not running`, { details: { instance: name } });
  const rec = await markOperation(env, name, 'stop');
  try {
    await stopRuntime(env, rec, 'stop');
  } catch (err) {
    await failOperation(env, rec, err);
    throw err;
  }
  await finishOperation(env, name, 'stopped');
  env.op.emit({ step: 'complete', status: 'done', message: `Instance "${name}" stopped` });
}

/** Stop (if running) then start: one operation, so nothing can slip in between. */
export async function restartInstance(env: OpEnv, name: string): Promise<void> {
  const rec = await markOperation(env, name, 'restart');
  try {
    if (await env.dockerd.isRunning(name)) await stopRuntime(env, rec, 'restart');
    await startRuntime(env, rec);
  } catch (err) {
    await finishOperation(env, name, 'error', undefined, `restart failed: ${errorMessage(err)}`);
    throw err;
  }
  await finishOperation(env, name, 'running');
  env.op.emit({ step: 'complete', status: 'done', message: `Instance "${name}" restarted` });
}
