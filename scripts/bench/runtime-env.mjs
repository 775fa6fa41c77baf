// One booted kernel per storage backend, shared by that backend's runtime sections: a 12 G
// file-backed pool in a temp dir, its own subnets and /etc/netns, instances named bench…,
// and a teardown that runs even after failures and checks that nothing was left behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { snapshotHostResources } from '../host-resources.mjs';
import { kernelLogTap } from './op-timing.mjs';
import { row } from './util.mjs';

const note = (text) => process.stderr.write(`bench:   ${text}\n`);
const sh = (file, args) => {
  try {
    return { ok: true, out: execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    return { ok: false, out: String(err.stderr ?? err.message) };
  }
};

/** Settings patch and storage plugin per backend. */
const BACKENDS = {
  btrfs: { plugin: 'storage-btrfs', settings: () => ({ btrfs: { pool_size: '12G' } }) },
  zfs: {
    plugin: 'storage-zfs',
    // The mountpoint lives in the temp dir: a leftover /<pool> would break the next zpool create.
    settings: (dir, pool) => ({ zfs: { pool, pool_file: join(dir, 'zfs.img'), pool_size: '12G', start_zfs_fuse: true, mountpoint_root: join(dir, 'zfs') } }),
  },
};

/** An error that means "this host cannot run the section", not "the section failed". */
export class Skip extends Error {}

/**
 * Ctrl-C while a backend is open: the first one makes the next `checkpoint` throw, so the
 * sections' `finally` blocks and `closeBackend` still clean up; a second one exits at once.
 */
let interrupted = false;
function onSigint() {
  if (interrupted) process.exit(130);
  interrupted = true;
  note('interrupted: cleaning up after the current step (Ctrl-C again to exit at once, leaving things behind)');
}

/** @throws when the user pressed Ctrl-C (call between timed steps). */
export function checkpoint() {
  if (interrupted) throw new Error('interrupted by the user');
}

async function dist(root, path) {
  return import(pathToFileURL(join(root, 'dist', path)).href);
}

/** Boots the kernel and prepares the pool; on any failure tears down what it made. */
export async function openBackend(root, backend) {
  const spec = BACKENDS[backend];
  const [{ Kernel }, { testSettings }, { createLogger }, images, zfsPool] = await Promise.all([
    dist(root, 'kernel/kernel.js'),
    dist(root, 'plugin-sdk/testing/start-test-kernel.js'),
    dist(root, 'kernel/logger.js'),
    dist(root, 'plugin-sdk/testing/images.js'),
    dist(root, 'builtin-plugins/storage-zfs/zfs-pool.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), `dstest-bench-${backend}-`));
  const pool = `dstest-bench-${process.pid}`;
  const env = { root, backend, dir, pool, images, before: snapshotHostResources(), zfsFuseBefore: await zfsPool.zfsFuseRunning(), zfsPool };
  process.on('SIGINT', onSigint);
  try {
    env.settings = testSettings(dir, {
      capabilities: { storage: spec.plugin },
      ...spec.settings(dir, pool),
      network: { base_offset: '10.250.0.0', subnet_size: 24 },
      plugins: { config: { netns: { etc_netns_dir: join(dir, 'netns') } } },
    });
    // Info level, captured: the phase split needs the dockerd plugin's "dockerd is ready".
    env.kernelLog = kernelLogTap(Boolean(process.env.BENCH_LOG));
    const log = createLogger({ level: 'info', destination: env.kernelLog });
    env.kernel = await Kernel.start({ settings: env.settings, log, pluginDir: null });
    for (const id of [spec.plugin, 'dockerd', 'netns', 'state-json']) {
      const st = env.kernel.plugins().find((p) => p.id === id);
      if (st?.status !== 'ok') throw new Skip(`${id} is ${st?.status ?? 'missing'}${st?.reason ? `: ${st.reason}` : ''}`);
    }
    note(`${backend}: preparing the 12G pool…`);
    env.storage = await env.kernel.instances.prepare();
    env.label = backend === 'zfs' && (await zfsPool.onZfsFuse()) ? 'zfs-fuse' : backend;
    env.rssAfterBoot = process.memoryUsage().rss;
    return env;
  } catch (err) {
    await closeBackend(env).catch((e) => note(`${backend}: cleanup after a failed start: ${e.message}`));
    throw err;
  }
}

/** Deletes an instance through the API; when that fails, takes its runtime down by hand. */
export async function deleteInstance(env, name) {
  try {
    const op = env.kernel.instances.delete(name);
    for await (const _ of op); // eslint-disable-line no-unused-vars
    await op.result;
  } catch (err) {
    if (err.code === 'DS_ERR_NOT_FOUND') return;
    note(`delete ${name} failed (${err.message.split('\n')[0]}); stopping its dockerd and namespace by hand`);
    await forceDown(env, name);
  }
}

async function forceDown(env, name) {
  const { dockerdCapability, netnsCapability, storageCapability } = await dist(env.root, 'plugin-sdk/index.js');
  const rec = (await env.kernel.instances.list().catch(() => [])).find((i) => i.name === name);
  const lease = env.kernel.acquire();
  try {
    await lease.capabilities.get(dockerdCapability).stop(name).catch((e) => note(`  dockerd stop: ${e.message}`));
    if (rec) await lease.capabilities.get(netnsCapability).teardown({ instance: name, subnet: rec.subnet }).catch((e) => note(`  netns teardown: ${e.message}`));
    await lease.capabilities.get(storageCapability).destroy(name).catch((e) => note(`  destroy: ${e.message}`));
  } finally {
    lease.release();
  }
}

/** Unmounts everything below `dir` (deepest first, lazily if busy), detaches loops of its files, removes it. */
function cleanupDir(dir) {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
  for (const m of mounts.sort((a, b) => b.length - a.length)) if (!sh('umount', [m]).ok) sh('umount', ['-l', m]);
  for (const line of sh('losetup', ['-a']).out.split('\n')) if (line.includes(`(${dir}/`)) sh('losetup', ['-d', line.split(':')[0]]);
  rmSync(dir, { recursive: true, force: true });
}

/** Stops the zfs-fuse the plugin started for us (its pid file is in our run dir) once no pool is left on it. */
async function stopOwnZfsFuse(env) {
  if (env.backend !== 'zfs' || env.zfsFuseBefore || !(await env.zfsPool.zfsFuseRunning())) return undefined;
  const pidFile = join(env.settings.run_dir, 'plugins', 'storage-zfs', 'zfs-fuse.pid');
  let pid;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'zfs-fuse') return undefined; // ours is gone, the pid reused
  } catch {
    return undefined; // no pid file: the plugin found another daemon answering and started none; or ours is gone
  }
  // Someone else's tests may have found our daemon answering and put a pool on it: give them a minute.
  let pools = '';
  for (let i = 0; i < 60; i++) {
    pools = sh('zpool', ['list', '-H', '-o', 'name']).out.trim();
    if (pools === '') break;
    if (i === 0) note(`waiting up to 60 s for the pools of others on the zfs-fuse we started: ${pools.split('\n').join(', ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (pools !== '') return `the zfs-fuse we started (pid ${pid}) still serves other pools (${pools.split('\n').join(', ')}): left running`;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      note('stopped the zfs-fuse this bench started');
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return `zfs-fuse (pid ${pid}) did not exit within 10 s of SIGTERM`;
}

/**
 * Deletes every bench instance, closes the kernel, destroys the pool, stops a zfs-fuse we
 * started, removes the temp dir. @returns a row saying what, if anything, was left behind.
 */
export async function closeBackend(env) {
  try {
    return await teardown(env);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function teardown(env) {
  const problems = [];
  if (env.kernel) {
    const left = await env.kernel.instances.list().catch(() => []);
    for (const i of left) await deleteInstance(env, i.name);
    await env.kernel.close().catch((e) => problems.push(`kernel close: ${e.message}`));
  }
  if (env.backend === 'zfs' && sh('zpool', ['list', '-H', env.pool]).ok) {
    if (!sh('zpool', ['destroy', '-f', env.pool]).ok) {
      cleanupDir(join(env.dir, 'zfs'));
      const again = sh('zpool', ['destroy', '-f', env.pool]);
      if (!again.ok) problems.push(`zpool destroy ${env.pool}: ${again.out.trim()}`);
    }
  }
  const zfsFuse = await stopOwnZfsFuse(env).catch((e) => e.message);
  if (zfsFuse) problems.push(zfsFuse);
  cleanupDir(env.dir);
  const ours = (item) => item.includes(env.dir) || item.includes(env.pool) || /bench/.test(item);
  const leaked = snapshotHostResources().filter((item) => !env.before.includes(item) && ours(item));
  problems.push(...leaked);
  return [row(`${env.label ?? env.backend}: left behind after cleanup`, problems.length === 0 ? 'nothing' : problems.join('; '), '', 'nothing', problems.length === 0)];
}
