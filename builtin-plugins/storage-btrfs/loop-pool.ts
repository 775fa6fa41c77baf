import { mkdir, rm, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DsError, createSparseFile, readMounts, type Exec, type MountEntry } from '../../plugin-sdk/index.js';
import { btrfsError } from './btrfs-errors.js';

/** statfs(2) f_type of btrfs. */
export const BTRFS_MAGIC = 0x9123683e;

/** A btrfs filesystem in a sparse image file, loop-mounted. */
export interface LoopPool {
  file: string;
  sizeBytes: number;
  mountpoint: string;
}

/** The mount exactly at `dir`, if any (the topmost one when stacked). */
export async function mountAt(dir: string): Promise<MountEntry | undefined> {
  const target = resolve(dir);
  return (await readMounts()).filter((m) => m.mountPoint === target).pop();
}

/** @throws DS_ERR_STORAGE unless `dir` exists on a btrfs filesystem. */
export async function assertOnBtrfs(dir: string): Promise<void> {
  let type: number;
  try {
    type = (await statfs(dir)).type;
  } catch (err) {
    throw btrfsError(`checking ${dir}`, err);
  }
  if (type !== BTRFS_MAGIC) throw new DsError('DS_ERR_STORAGE', `${dir} is not on a btrfs filesystem (statfs type 0x${type.toString(16)})`, { details: { path: dir } });
}

/** Creates the image (sparse) and formats it; removes it again when mkfs fails. */
async function createImage(exec: Exec, pool: LoopPool): Promise<void> {
  await createSparseFile(pool.file, pool.sizeBytes);
  try {
    await exec('mkfs.btrfs', ['-q', '-L', 'dockersnap', pool.file]);
  } catch (err) {
    await rm(pool.file, { force: true });
    throw btrfsError(`formatting ${pool.file}`, err);
  }
}

/**
 * Makes sure the image exists, is formatted and is mounted at `pool.mountpoint`.
 * Idempotent: an existing image is never re-formatted, an existing btrfs mount is kept.
 * @throws DS_ERR_STORAGE when something else is mounted there or mount fails.
 */
export async function ensureLoopPool(exec: Exec, pool: LoopPool): Promise<void> {
  const current = await mountAt(pool.mountpoint);
  if (current) {
    if (current.fsType !== 'btrfs') throw new DsError('DS_ERR_STORAGE', `${pool.mountpoint} is already a ${current.fsType} mount, not btrfs`, { details: { mountpoint: pool.mountpoint } });
    return;
  }
  try {
    await createImage(exec, pool);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  await mkdir(pool.mountpoint, { recursive: true });
  try {
    await exec('mount', ['-o', 'loop', pool.file, pool.mountpoint]);
  } catch (err) {
    throw btrfsError(`mounting ${pool.file} on ${pool.mountpoint}`, err);
  }
}

/** Loop devices backed by `file` (`losetup -j`). */
async function loopDevicesOf(exec: Exec, file: string): Promise<string[]> {
  const { stdout } = await exec('losetup', ['-j', resolve(file)], { reject: false });
  return stdout.split('\n').map((l) => l.split(':')[0]!.trim()).filter((d) => d.startsWith('/dev/'));
}

/**
 * Unmounts the pool, detaches its loop devices and (by default) deletes the image.
 * For tests and uninstall only: the daemon never calls it (instances outlive the daemon).
 * Idempotent. @throws DS_ERR_CONFLICT when the pool is still in use.
 */
export async function teardownLoopPool(exec: Exec, pool: LoopPool, options: { removeImage?: boolean } = {}): Promise<void> {
  while (await mountAt(pool.mountpoint)) {
    try {
      await exec('umount', [pool.mountpoint]);
    } catch (err) {
      throw btrfsError(`unmounting ${pool.mountpoint}`, err);
    }
  }
  for (const dev of await loopDevicesOf(exec, pool.file)) await exec('losetup', ['-d', dev], { reject: false });
  if (options.removeImage !== false) await rm(pool.file, { force: true });
}
