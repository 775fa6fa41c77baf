import { writeFile } from 'node:fs/promises';
import { DsError, errorMessage } from '../errors.js';
import type { StopReason } from '../hooks.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';
import { baseContext, fire, type OpEnv } from './context.js';

/**
 * Brings an instance's runtime up: namespace → `netnsReady` → dockerd → `dockerdReady` →
 * port forwards. On failure everything it started is taken down again.
 */
export async function startRuntime(env: OpEnv, rec: InstanceRecord, message = 'Starting dockerd...'): Promise<void> {
  const spec = { instance: rec.name, subnet: rec.subnet };
  const base = baseContext(env, rec.name, rec);
  await env.op.step('starting_dockerd', message, 'Dockerd started', async () => {
    try {
      const netns = await env.netns.setup(spec);
      await fire(env, 'netnsReady', { ...base, netns });
      const { mountpoint } = env.storage.describe(rec.name);
      const dockerd = await env.dockerd.start({ instance: rec.name, dataRoot: mountpoint, storageDriver: env.storage.dockerStorageDriver, netns });
      await fire(env, 'dockerdReady', { ...base, netns, dockerd });
    } catch (err) {
      await env.dockerd.stop(rec.name).catch((e: unknown) => env.log.warn({ err: errorMessage(e) }, 'cleanup: dockerd stop failed'));
      await env.netns.teardown(spec).catch((e: unknown) => env.log.warn({ err: errorMessage(e) }, 'cleanup: netns teardown failed'));
      throw err;
    }
  });
  if (env.portProxy) {
    await env.portProxy.refresh(rec.name).catch((e: unknown) => env.log.warn({ err: errorMessage(e) }, 'port scan failed'));
  }
}

/**
 * The robust stop: forwards dropped → containers stopped → `preStop` → dockerd stopped,
 * shims and mounts cleaned (the dockerd plugin) → namespace removed → the dataset proven
 * idle → `postStop`. Safe on an instance that is not running.
 */
export async function stopRuntime(env: OpEnv, rec: InstanceRecord, reason: StopReason): Promise<void> {
  const ctx = { ...baseContext(env, rec.name, rec), reason };
  await env.portProxy?.drop(rec.name);
  await env.op.step('stopping_dockerd', 'Stopping containers and dockerd...', 'Dockerd stopped', async () => {
    let preStopFired = false;
    await env.dockerd.stop(rec.name, {
      beforeDaemonStop: async () => {
        preStopFired = true;
        await fire(env, 'preStop', ctx);
      },
      onProgress: (message) => env.op.emit({ step: 'stopping_dockerd', status: 'running', message }),
    });
    if (!preStopFired) await fire(env, 'preStop', ctx);
    await env.netns.teardown({ instance: rec.name, subnet: rec.subnet });
    if (await env.storage.isBusy(rec.name)) {
      throw new DsError('DS_ERR_CONFLICT', `the dataset of "${rec.name}" is still in use after dockerd stopped; find the holder with \`fuser -vm ${env.storage.describe(rec.name).mountpoint}\``, { details: { instance: rec.name } });
    }
  });
  await fire(env, 'postStop', ctx);
}

/** Flushes dirty pages so the storage snapshot sees everything containers wrote. */
export async function syncFilesystems(env: OpEnv): Promise<void> {
  await env.op.step('sync', 'Syncing filesystem...', 'Filesystem synced', async () => {
    const r = await env.exec('sync', [], { reject: false });
    if (r.exitCode !== 0) env.log.warn({ stderr: r.stderr }, 'sync failed; snapshotting anyway');
  });
}

/** Drops the page cache after a revert so mmap'd databases never see pre-revert pages. */
export async function dropCaches(env: OpEnv): Promise<void> {
  await env.op.step('drop_caches', 'Dropping page cache...', 'Page cache dropped', async () => {
    await writeFile('/proc/sys/vm/drop_caches', '3').catch((err: unknown) => env.log.warn({ err: errorMessage(err) }, 'drop_caches failed'));
  });
}
