import { DsError, errorMessage, isDsError } from '../errors.js';
import { baseContext, fire, requireRecord, type OpEnv } from './context.js';
import { Rollback, commit, removeRow, reserve } from './create.js';
import { startRuntime, stopRuntime } from './runtime.js';
import { finishOperation, markOperation } from './state-ops.js';
import { workloadDriver, workloadInput } from './workload.js';

/**
 * Clone: a new instance from `source@label`, with its own dataset, subnet, namespace and
 * dockerd. The source keeps running (the snapshot is immutable). Same three phases and
 * rollback as create.
 */
export async function cloneInstance(env: OpEnv, source: string, label: string, target: string) {
  const src = await env.state.view((s) => s.instances[source]);
  if (!src) throw new DsError('DS_ERR_NOT_FOUND', `source instance "${source}" not found`, { details: { instance: source } });
  if (!(src.snapshots ?? []).some((s) => s.label === label)) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${source}"`, { details: { instance: source, label } });
  const base = { ...baseContext(env, target, undefined), source, label, target };
  await fire(env, 'preClone', base);
  const workload = src.workload_plugin ? { workload_plugin: src.workload_plugin, workload_config: src.workload_config ?? {}, workload_contract_version: src.workload_contract_version ?? '1' } : {};
  const rec = await reserve(env, target, { clone_of: `${source}@${label}`, ...workload }, 'clone');
  env.op.emit({ step: 'allocating_network', status: 'done', message: `Network allocated: ${rec.subnet}` });
  const undo = new Rollback();
  undo.add('remove state row', () => removeRow(env, target));
  try {
    const dataset = await env.op.step('zfs_clone', `Cloning ${env.storage.kind} dataset from ${src.dataset}@${label}...`, `${env.storage.kind} clone created`, () => env.storage.clone(source, label, target));
    undo.add('destroy dataset', () => env.storage.destroy(target));
    await env.op.step('patching_ports', 'Randomizing port bindings...', 'Port bindings patched', () => fire(env, 'storageReady', { ...baseContext(env, target, rec), dataset }));
    // purge: a failed start leaves the daemon.json and log it wrote; the error already carries the log tail.
    undo.add('stop runtime', async () => {
      await stopRuntime(env, rec, 'delete');
      await env.dockerd.purge?.(target);
    });
    await startRuntime(env, rec, 'Starting dockerd for clone...');
    env.op.emit({ step: 'port_forwarding', status: 'done', message: 'Port forwarding configured' });
    const done = await commit(env, target);
    await fire(env, 'postClone', { ...base, record: done });
    env.op.emit({ step: 'complete', status: 'done', message: `Clone "${target}" created successfully` });
    return done;
  } catch (err) {
    await undo.run(env);
    throw err;
  }
}

/**
 * Delete everything the instance has: workload, runtime (always cleaned, even when not
 * running), dataset with its snapshots, daemon config, state row. Safe to run again after a
 * partial failure. A dataset with dependent clones is refused and the row is kept.
 */
export async function deleteInstance(env: OpEnv, name: string): Promise<void> {
  const rec = await requireRecord(env.state, name);
  await fire(env, 'preDelete', baseContext(env, name, rec));
  await markOperation(env, name, 'delete');
  const mountpoint = env.storage.describe(name).mountpoint;
  if (rec.workload_plugin) {
    await env.op.step('plugin_teardown', `Tearing down ${rec.workload_plugin} workload`, undefined, async () => {
      await workloadDriver(env.lease, rec.workload_plugin!).teardown({ ...workloadInput(rec, env.settings, mountpoint), command: 'teardown' }, { signal: env.signal, onProgress: (e) => env.op.emit(e) });
    }).catch((err: unknown) => env.log.warn({ err: errorMessage(err) }, 'workload teardown failed; deleting anyway'));
  }
  await stopRuntime(env, rec, 'delete');
  try {
    await env.op.step('destroying_dataset', `Destroying ${env.storage.kind} dataset ${rec.dataset}...`, 'Dataset destroyed', () => env.storage.destroy(name));
  } catch (err) {
    await finishOperation(env, name, 'stopped');
    if (isDsError(err)) throw new DsError(err.code, `destroying dataset: ${err.message}`, { details: err.details, cause: err });
    throw err;
  }
  await env.dockerd.purge?.(name);
  await removeRow(env, name);
  await fire(env, 'postDelete', baseContext(env, name, rec));
  env.op.emit({ step: 'complete', status: 'done', message: `Instance "${name}" deleted` });
}
