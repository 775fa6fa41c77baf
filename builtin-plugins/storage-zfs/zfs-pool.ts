import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DsError, createSparseFile, readMounts, type Exec, type Logger } from '../../plugin-sdk/index.js';
import type { ZfsDriverOptions } from './config.js';
import { isMissing, zfsError, zfsErrorText } from './zfs-errors.js';

/** Whether a process named exactly `zfs-fuse` runs (what `pgrep -x zfs-fuse` answers). */
export async function zfsFuseRunning(): Promise<boolean> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'zfs-fuse') return true;
    } catch {
      // exited meanwhile
    }
  }
  return false;
}

/**
 * Whether ZFS here is the FUSE port: no kernel module, and a zfs-fuse daemon, fuse.zfs
 * mounts, or the plugin about to start zfs-fuse (`willStart`).
 */
export async function onZfsFuse(willStart = false): Promise<boolean> {
  if (existsSync('/sys/module/zfs')) return false;
  if (willStart || (await zfsFuseRunning())) return true;
  return (await readMounts()).some((m) => m.fsType === 'fuse.zfs');
}

/** Asks ZFS for its pools; `ok: false` with the reason when no module or daemon answers. */
export async function zfsAnswers(exec: Exec): Promise<{ ok: boolean; reason: string }> {
  const r = await exec('zpool', ['list', '-H', '-o', 'name'], { reject: false, timeoutMs: 30_000 });
  return { ok: r.exitCode === 0, reason: (r.stderr || r.stdout).trim().split('\n').join('; ') };
}

/**
 * zfs-fuse mounts outlive a dead daemon and then fail every access: unmount the pool's
 * (lazily, deepest first) before a new daemon mounts it again. Only called with no daemon running.
 */
async function clearStaleFuseMounts(exec: Exec, pool: string, log?: Logger): Promise<void> {
  const stale = (await readMounts()).filter((m) => m.fsType === 'fuse.zfs' && (m.source === pool || m.source.startsWith(`${pool}/`)));
  stale.sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  for (const m of stale) {
    log?.warn({ mountpoint: m.mountPoint }, 'unmounting a stale zfs-fuse mount');
    await exec('umount', ['-l', m.mountPoint], { reject: false });
  }
}

/**
 * Starts zfs-fuse (it daemonizes itself) when no ZFS answers and the config allows it,
 * then waits until it answers. Never touches a daemon that is already running.
 * @throws DS_ERR_STORAGE when ZFS still does not answer.
 */
export async function ensureZfsAnswers(exec: Exec, opts: ZfsDriverOptions, log?: Logger): Promise<void> {
  let state = await zfsAnswers(exec);
  if (state.ok) return;
  if (!opts.startZfsFuse || (await zfsFuseRunning())) throw new DsError('DS_ERR_STORAGE', `zfs does not answer: ${state.reason}`);
  await clearStaleFuseMounts(exec, opts.pool, log);
  const args = ['--no-kstat-mount'];
  if (opts.zfsFusePidFile) {
    await mkdir(dirname(opts.zfsFusePidFile), { recursive: true });
    await rm(opts.zfsFusePidFile, { force: true }); // a stale one makes zfs-fuse exit 1 without a word
    args.push('--pidfile', opts.zfsFusePidFile);
  }
  if (opts.arcMaxBytes) args.push('--max-arc-size', String(Math.max(16, Math.floor(opts.arcMaxBytes / 2 ** 20))));
  await exec('zfs-fuse', args, { timeoutMs: 30_000 });
  for (let i = 0; i < 100 && !state.ok; i++) {
    await new Promise((r) => setTimeout(r, 100));
    state = await zfsAnswers(exec);
  }
  if (!state.ok) throw new DsError('DS_ERR_STORAGE', `started zfs-fuse, but zfs does not answer: ${state.reason}`);
  log?.info({ pidfile: opts.zfsFusePidFile }, 'started zfs-fuse');
}

/** Whether the dataset (or snapshot) exists. @throws mapped errors other than "does not exist". */
export async function datasetExists(exec: Exec, dataset: string): Promise<boolean> {
  try {
    await exec('zfs', ['list', '-H', '-o', 'name', dataset]);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw zfsError(`checking ${dataset}`, err);
  }
}

async function createPoolFile(exec: Exec, opts: ZfsDriverOptions & { poolFile: string; poolSizeBytes: number }): Promise<void> {
  await createSparseFile(opts.poolFile, opts.poolSizeBytes);
  try {
    await exec('zpool', ['create', '-m', opts.mountpointRoot, opts.pool, opts.poolFile]);
  } catch (err) {
    await rm(opts.poolFile, { force: true });
    const hint = /not empty/i.test(zfsErrorText(err)) ? ` (empty or remove ${opts.mountpointRoot} first)` : '';
    throw new DsError('DS_ERR_STORAGE', `zpool create ${opts.pool}: ${zfsErrorText(err).trim()}${hint}`, { cause: err });
  }
}

/**
 * Makes sure the pool is there: imports a file-backed pool from `pool_file`, or creates
 * it when `pool_size` is set too. Idempotent. @throws DS_ERR_STORAGE when it is missing.
 */
export async function ensurePool(exec: Exec, opts: ZfsDriverOptions): Promise<void> {
  const listed = await exec('zpool', ['list', '-H', '-o', 'name', opts.pool], { reject: false });
  if (listed.exitCode === 0) return;
  const file = opts.poolFile;
  if (file && existsSync(file)) {
    const imported = await exec('zpool', ['import', '-d', dirname(file), opts.pool], { reject: false });
    if (imported.exitCode === 0) return;
    throw new DsError('DS_ERR_STORAGE', `zpool import ${opts.pool} from ${dirname(file)}: ${imported.stderr.trim()}`);
  }
  if (file && opts.poolSizeBytes) return createPoolFile(exec, { ...opts, poolFile: file, poolSizeBytes: opts.poolSizeBytes });
  throw new DsError('DS_ERR_STORAGE', `zfs pool "${opts.pool}" does not exist (create it, or set zfs.pool_file and zfs.pool_size): ${listed.stderr.trim()}`);
}

/** Creates `<pool>/<prefix>` level by level where missing (the pool itself must exist). Idempotent. */
export async function ensureParent(exec: Exec, parent: string): Promise<void> {
  const parts = parent.split('/');
  for (let i = 2; i <= parts.length; i++) {
    const ds = parts.slice(0, i).join('/');
    if (await datasetExists(exec, ds)) continue;
    try {
      await exec('zfs', ['create', ds]);
    } catch (err) {
      if (!/already exists/i.test(zfsErrorText(err))) throw zfsError(`creating ${ds}`, err);
    }
  }
}

/**
 * Mounts `<pool>/<prefix>`, its ancestors and every dataset below it that should be
 * mounted but is not, parents first (zfs list order). A restarted zfs-fuse imports its
 * pools but mounts nothing. Idempotent.
 */
export async function ensureMounted(exec: Exec, parent: string): Promise<void> {
  const pool = parent.split('/')[0]!;
  let out: string;
  try {
    out = (await exec('zfs', ['list', '-H', '-o', 'name,mounted,canmount,mountpoint', '-t', 'filesystem', '-r', pool])).stdout;
  } catch (err) {
    throw zfsError(`listing ${pool}`, err);
  }
  const relevant = (name: string): boolean => parent === name || parent.startsWith(`${name}/`) || name.startsWith(`${parent}/`);
  for (const [name, mounted, canmount, mountpoint] of out.split('\n').filter(Boolean).map((l) => l.split('\t'))) {
    if (!relevant(name!) || mounted !== 'no' || canmount !== 'on' || !mountpoint?.startsWith('/')) continue;
    try {
      await exec('zfs', ['mount', name!]);
    } catch (err) {
      throw zfsError(`mounting ${name} on ${mountpoint}`, err);
    }
  }
}
