// Test pools on this host: tiny btrfs loop images and zfs-fuse file pools in temp dirs named
// with RUN_PREFIX (so scripts/host-resources.mjs sees any leak), and their cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import { BtrfsDriver } from '../../builtin-plugins/storage-btrfs/btrfs-driver.js';
import { readMounts } from '../../plugin-sdk/index.js';
import { ZfsDriver } from '../../builtin-plugins/storage-zfs/zfs-driver.js';
import { zfsAnswers, zfsFuseRunning } from '../../builtin-plugins/storage-zfs/zfs-pool.js';
import { createExec } from '../../kernel/exec.js';
import { silentLogger } from '../../kernel/logger.js';
import type { StorageDriver } from '../../plugin-sdk/capabilities/storage.js';
import type { BusyKind, StorageHarness } from '../../plugin-sdk/testing/storage-conformance.js';
import { RUN_PREFIX } from './fixtures.js';
import { waitFor } from './host.js';

export const exec = createExec(silentLogger());
const MiB = 1024 * 1024;

/** Tools that cannot be spawned at all (exit code -1 from the exec wrapper). */
export async function missingTools(tools: ReadonlyArray<[string, string[]]>): Promise<string[]> {
  const out: string[] = [];
  for (const [tool, args] of tools) if ((await exec(tool, args, { reject: false })).exitCode === -1) out.push(tool);
  return out;
}

/** Unmounts everything below `dir` (deepest first, lazily if busy), detaches loops of files below it, removes it. */
export async function cleanupDir(dir: string): Promise<void> {
  const mounts = (await readMounts()).filter((m) => m.mountPoint.startsWith(`${dir}/`)).sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  for (const m of mounts) {
    if ((await exec('umount', [m.mountPoint], { reject: false })).exitCode !== 0) await exec('umount', ['-l', m.mountPoint], { reject: false });
  }
  const loops = (await exec('losetup', ['-a'], { reject: false })).stdout.split('\n').filter((l) => l.includes(`(${dir}/`));
  for (const line of loops) await exec('losetup', ['-d', line.split(':')[0]!], { reject: false });
  await rm(dir, { recursive: true, force: true });
}

/** A temp dir whose cleanup is registered on `t` before anything is created in it. */
function testDir(t: Test, kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-${kind}-`));
  t.teardown(() => cleanupDir(dir));
  return dir;
}

/** A BtrfsDriver on a fresh loop image (btrfs needs ~110 MiB at least), initialised; torn down with `t`. */
export async function makeBtrfsDriver(t: Test, sizeMiB = 128): Promise<BtrfsDriver> {
  const dir = testDir(t, 'btrfs');
  const driver = new BtrfsDriver({ poolFile: join(dir, 'pool.img'), poolSizeBytes: sizeMiB * MiB, mountpoint: join(dir, 'mnt') }, { exec });
  t.teardown(() => driver.teardownPool().catch(() => undefined));
  await driver.init();
  return driver;
}

/**
 * A BtrfsDriver in `existing_path` mode on a directory of a btrfs mounted with
 * `subvol=@data` — so the pool root is not the filesystem's top level.
 */
export async function makeBtrfsExistingPathDriver(t: Test, sizeMiB = 128): Promise<BtrfsDriver> {
  const dir = testDir(t, 'btrfsx');
  const image = join(dir, 'fs.img');
  await writeFile(image, '');
  await exec('truncate', ['-s', `${sizeMiB}M`, image]);
  await exec('mkfs.btrfs', ['-q', image]);
  const top = join(dir, 'top');
  const data = join(dir, 'data');
  await mkdir(top);
  await mkdir(data);
  await exec('mount', ['-o', 'loop', image, top]);
  await exec('btrfs', ['subvolume', 'create', join(top, '@data')]);
  await exec('umount', [top]);
  await exec('mount', ['-o', 'loop,subvol=@data', image, data]);
  await mkdir(join(data, 'dockersnap'));
  const driver = new BtrfsDriver({ poolFile: join(dir, 'unused.img'), poolSizeBytes: 0, mountpoint: join(dir, 'unused'), existingPath: join(data, 'dockersnap') }, { exec });
  await driver.init();
  return driver;
}

let zfsPools = 0;

/** A ZfsDriver on a fresh file-backed pool `<RUN_PREFIX>z<n>` (zfs-fuse needs 64 MiB at least); torn down with `t`. */
export async function makeZfsDriver(t: Test, options: { sizeMiB?: number; datasetPrefix?: string } = {}): Promise<ZfsDriver> {
  const { sizeMiB = 128, datasetPrefix = 'instances' } = options;
  const dir = testDir(t, 'zfs');
  const pool = `${RUN_PREFIX}z${++zfsPools}`;
  const driver = new ZfsDriver(
    { pool, datasetPrefix, mountpointRoot: join(dir, 'mnt'), dockerStorageDriver: 'fuse-overlayfs', poolFile: join(dir, 'pool.img'), poolSizeBytes: sizeMiB * MiB },
    { exec },
  );
  t.teardown(() => destroyTestPool(pool, dir));
  await driver.init();
  return driver;
}

/**
 * Destroys a test pool: zfs-fuse calls a pool busy for a while after its last writer went
 * (docs/host-notes.md), longer on a loaded host, so `zpool destroy -f` is polled for 10 s;
 * then everything mounted below `dir` is unmounted lazily and it is polled for 20 s more.
 * @throws Error when the pool is still there: the pool and `dir` are left for a look (removing
 *   `dir` would delete the image of a live pool), never dropped silently.
 */
export async function destroyTestPool(pool: string, dir: string): Promise<void> {
  const exists = async () => (await exec('zpool', ['list', '-H', pool], { reject: false })).exitCode === 0;
  const destroyed = async () => (await exec('zpool', ['destroy', '-f', pool], { reject: false })).exitCode === 0 || !(await exists());
  if (!(await exists())) return;
  if (await waitFor(destroyed, `zpool destroy ${pool}`, 10_000, 250).catch(() => false)) return;
  const mounts = (await readMounts()).filter((m) => m.mountPoint.startsWith(`${dir}/`)).sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  for (const m of mounts) await exec('umount', ['-l', m.mountPoint], { reject: false });
  if (await waitFor(destroyed, `zpool destroy ${pool}`, 20_000, 250).catch(() => false)) return;
  throw new Error(`could not destroy the test pool ${pool}; left it and ${dir} for a look (zpool destroy -f ${pool})`);
}

/** A zfs-fuse this process started, to stop again at the end. */
let ownDaemon: ChildProcess | undefined;

/**
 * Makes sure ZFS answers: starts `zfs-fuse --no-daemon` when no ZFS module or daemon runs
 * (never a second daemon). Resolves to a reason string when that is impossible.
 */
export async function ensureZfs(): Promise<string | undefined> {
  if ((await zfsAnswers(exec)).ok) return undefined;
  if (await zfsFuseRunning()) return 'a zfs-fuse daemon runs but does not answer (not ours; not touched)';
  const child = spawn('zfs-fuse', ['--no-daemon', '--no-kstat-mount'], { detached: true, stdio: 'ignore' });
  const started = await new Promise<boolean>((resolve) => child.once('spawn', () => resolve(true)).once('error', () => resolve(false)));
  if (!started) return 'zfs-fuse could not be started';
  ownDaemon = child;
  for (let i = 0; i < 200; i++) {
    if ((await zfsAnswers(exec)).ok) return undefined;
    await new Promise((r) => setTimeout(r, 50)); // readiness poll with a deadline, not a sleep-for-sync
  }
  return 'zfs-fuse started but zfs does not answer after 10 s';
}

/** Stops the zfs-fuse this process started, if no pool is left on it (another test may still use it). */
export async function stopOwnZfs(): Promise<void> {
  const child = ownDaemon;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const pools = (await exec('zpool', ['list', '-H', '-o', 'name'], { reject: false })).stdout.trim();
  if (pools !== '') {
    // Another test process still has a pool on it: leave the daemon running for it, but do
    // not let our handle keep this process alive (tap would kill it at its timeout).
    child.unref();
    ownDaemon = undefined;
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  ownDaemon = undefined;
}

async function spawnHolder(cwd: string, stdin: number | 'ignore'): Promise<ChildProcess> {
  const child = spawn('sleep', ['3600'], { cwd, stdio: [stdin, 'ignore', 'ignore'] });
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

async function killHolder(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Makes `dir` busy the way dockerd leftovers do; returns the release function. */
export async function holdDir(dir: string, kind: BusyKind): Promise<() => Promise<void>> {
  if (kind === 'mount') {
    const target = join(dir, '.busy-mount');
    await mkdir(target, { recursive: true });
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'dstest-busy', target]);
    return async () => void (await exec('umount', [target]));
  }
  if (kind === 'cwd') {
    const child = await spawnHolder(dir, 'ignore');
    return () => killHolder(child);
  }
  const handle = await open(join(dir, '.busy-file'), 'w');
  try {
    const child = await spawnHolder('/', handle.fd);
    return () => killHolder(child);
  } finally {
    await handle.close();
  }
}

/** Writes 1 MiB random chunks until `bytes` or ENOSPC; true when space ran out. */
export async function fillDir(dir: string, bytes: number): Promise<boolean> {
  const chunk = Buffer.alloc(MiB);
  const handle = await open(join(dir, 'fill.bin'), 'w');
  try {
    for (let written = 0; written < bytes; written += MiB) {
      randomFillSync(chunk);
      await handle.write(chunk);
    }
    await handle.sync();
    return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC' || (err as NodeJS.ErrnoException).code === 'EDQUOT') return true;
    throw err;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A harness for a real backend: files through `describe(name).mountpoint`. */
export function mountpointHarness(driver: StorageDriver): StorageHarness {
  const path = (name: string, rel: string): string => join(driver.describe(name).mountpoint, rel);
  return {
    driver,
    async writeFile(name, rel, data) {
      await mkdir(dirname(path(name, rel)), { recursive: true });
      await writeFile(path(name, rel), data);
    },
    async readFile(name, rel) {
      try {
        return await readFile(path(name, rel), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    fill: (name, bytes) => fillDir(driver.describe(name).mountpoint, bytes),
    holdBusy: (name, kind) => holdDir(driver.describe(name).mountpoint, kind),
  };
}
