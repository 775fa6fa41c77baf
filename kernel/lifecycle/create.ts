import { DsError, errorMessage } from '../errors.js';
import type { CreateSpec } from '../hooks.js';
import { allocateSubnet } from '../subnet.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { baseContext, fire, type OpEnv } from './context.js';
import { startRuntime, stopRuntime } from './runtime.js';
import { rfc3339Nano } from './time.js';
import type { WorkloadDriver, WorkloadSchema } from '../../plugin-sdk/capabilities/workload.js';
import { resolveWorkloadConfig } from './workload-config.js';
import { CONTRACT_VERSION, bindingError, commandError, workloadDriver, workloadInput } from './workload.js';

/** Undo steps recorded as the I/O phase advances, run in reverse on failure. */
export class Rollback {
  private readonly steps: Array<[string, () => Promise<unknown>]> = [];

  add(what: string, fn: () => Promise<unknown>): void {
    this.steps.push([what, fn]);
  }

  /** Runs every undo step (newest first); failures are collected, not thrown. */
  async run(env: OpEnv): Promise<string[]> {
    const problems: string[] = [];
    for (const [what, fn] of this.steps.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${errorMessage(err)}`);
        env.log.error({ step: what, err: errorMessage(err) }, 'rollback step failed');
      }
    }
    return problems;
  }
}

/** Reserve: name free, subnet allocated, placeholder row written — one state update. */
export async function reserve(env: OpEnv, name: string, fill: Partial<InstanceRecord>, kind: string): Promise<InstanceRecord> {
  const { settings } = env;
  return env.state.update((s) => {
    if (s.instances[name]) throw new DsError('DS_ERR_EXISTS', `instance "${name}" already exists`, { details: { instance: name } });
    const used = Object.values(s.instances).map((i) => i.subnet_index);
    const alloc = allocateSubnet(used, s.next_subnet_index, { baseOffset: settings.network.base_offset, subnetSize: settings.network.subnet_size, metallbHostOffset: settings.network.metallb_host_offset });
    const rec: InstanceRecord = {
      name,
      dataset: env.storage.describe(name).dataset,
      subnet: alloc.cidr,
      subnet_index: alloc.index,
      metallb_ip: alloc.metallbIp,
      socket: env.dockerd.socketPath(name),
      pid_file: env.dockerd.pidFile(name),
      created_at: rfc3339Nano(),
      status: 'error',
      snapshots: [],
      ...fill,
      operation: { kind, id: env.op.id, started_at: rfc3339Nano() },
    };
    s.instances[name] = rec;
    if (alloc.index >= s.next_subnet_index) s.next_subnet_index = alloc.index + 1;
    return structuredClone(rec);
  });
}

/** Commit: the row becomes `running` and loses its operation marker. */
export async function commit(env: OpEnv, name: string): Promise<InstanceRecord> {
  return env.state.update((s) => {
    const rec = s.instances[name]!;
    rec.status = 'running';
    delete rec.operation;
    delete rec.error_reason;
    return structuredClone(rec);
  });
}

export async function removeRow(env: OpEnv, name: string): Promise<void> {
  await env.state.update((s) => {
    delete s.instances[name];
  });
}

async function deployWorkload(env: OpEnv, rec: InstanceRecord): Promise<void> {
  const plugin = rec.workload_plugin!;
  const driver = workloadDriver(env.lease, plugin);
  const input = workloadInput(rec, env.settings, env.storage.describe(rec.name).mountpoint);
  env.op.emit({ step: 'plugin_deploy', status: 'running', message: `Deploying ${plugin} workload` });
  await driver.deploy({ ...input, command: 'deploy' }, { signal: env.signal, onProgress: (e) => env.op.emit(e) }).catch((err: unknown) => {
    throw commandError('deploy', plugin, err);
  });
  await fire(env, 'workloadDeployed', { ...baseContext(env, rec.name, rec), workload: plugin });
}

/** The plugin's schema; a plugin that is gone or disabled fails as `plugin "<p>": …` (§15 step 1). */
async function readySchema(driver: WorkloadDriver, plugin: string): Promise<WorkloadSchema> {
  try {
    return await driver.schema();
  } catch (err) {
    throw bindingError(plugin, err);
  }
}

/**
 * Resolves and validates the workload binding before anything is reserved (plugin-contract
 * §15, §13): plugin exists and is ready → schema → defaults → `{{ instance_name }}` →
 * option checks (`invalid plugin_config for "<p>": [...]`) → the plugin's own `validate`
 * (`plugin validate: [<e1> <e2>]` / `plugin validate: <runner error>`).
 * @returns the row fields of the binding; `workload_config` is the resolved map.
 */
async function resolveWorkload(env: OpEnv, spec: CreateSpec): Promise<Partial<InstanceRecord>> {
  if (!spec.workload?.plugin) return {};
  const plugin = spec.workload.plugin;
  const driver = workloadDriver(env.lease, plugin);
  const schema = await readySchema(driver, plugin);
  const config = resolveWorkloadConfig(schema, spec.workload.config, spec.name, { plugin });
  const probe: InstanceRecord = { name: spec.name, dataset: '', subnet: '0.0.0.0/16', subnet_index: 0, metallb_ip: '', socket: env.dockerd.socketPath(spec.name), pid_file: '', created_at: rfc3339Nano(), status: 'error', snapshots: [], workload_config: config };
  const input = { ...workloadInput(probe, env.settings, env.storage.describe(spec.name).mountpoint), command: 'validate' };
  env.op.emit({ step: 'plugin_validate', status: 'running', message: 'Validating workload config' });
  let res: Awaited<ReturnType<WorkloadDriver['validate']>>;
  try {
    res = await driver.validate(input, { signal: env.signal });
  } catch (err) {
    const e = commandError('validate', plugin, err);
    env.op.emit({ step: 'plugin_validate', status: 'error', message: e.message });
    throw e;
  }
  if (!res.valid) {
    const errors = res.errors ?? [];
    env.op.emit({ step: 'plugin_validate', status: 'error', message: errors.join('; ') });
    throw new DsError('DS_ERR_PLUGIN_CONFIG', `plugin validate: [${errors.join(' ')}]`, { details: { plugin, command: 'validate', errors } });
  }
  if (res.warnings?.length) env.log.info({ plugin, instance: spec.name, warnings: res.warnings }, 'plugin validate warnings');
  env.op.emit({ step: 'plugin_validate', status: 'done' });
  return { workload_plugin: plugin, workload_config: config, workload_contract_version: CONTRACT_VERSION };
}

/**
 * Create in three phases: reserve under the state lock → I/O (dataset, runtime, workload)
 * → commit. Any failure undoes every finished step and removes the row: no half-created
 * instance is ever left behind.
 */
export async function createInstance(env: OpEnv, spec: CreateSpec): Promise<InstanceRecord> {
  await fire(env, 'preCreate', { ...baseContext(env, spec.name, undefined), spec });
  const workload = await resolveWorkload(env, spec);
  const rec = await reserve(env, spec.name, workload, 'create');
  const undo = new Rollback();
  undo.add('remove state row', () => removeRow(env, rec.name));
  try {
    const dataset = await env.storage.create(rec.name);
    undo.add('destroy dataset', () => env.storage.destroy(rec.name));
    await fire(env, 'storageReady', { ...baseContext(env, rec.name, rec), dataset });
    // purge: a failed start leaves the daemon.json and log it wrote; the error already carries the log tail.
    undo.add('stop runtime', async () => {
      await stopRuntime(env, rec, 'delete');
      await env.dockerd.purge?.(rec.name);
    });
    await startRuntime(env, rec);
    if (rec.workload_plugin) {
      undo.add('workload teardown', () => workloadDriver(env.lease, rec.workload_plugin!).teardown({ ...workloadInput(rec, env.settings, dataset.mountpoint), command: 'teardown' }, { signal: env.signal, onProgress: (e) => env.op.emit(e) }));
      await deployWorkload(env, rec).catch((err: unknown) => {
        env.op.emit({ step: 'plugin_deploy', status: 'error', message: errorMessage(err) });
        throw err;
      });
    }
    const done = await commit(env, rec.name);
    env.op.emit({ step: 'complete', status: 'done', message: `Instance "${rec.name}" created` });
    return done;
  } catch (err) {
    const problems = await undo.run(env);
    if (problems.length > 0 && err instanceof DsError) err.details['rollbackProblems'] = problems;
    throw err;
  }
}
