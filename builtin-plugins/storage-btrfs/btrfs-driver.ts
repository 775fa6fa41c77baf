import { mkdir, readdir, realpath, rmdir, stat, statfs } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import {
  DsError,
  INSTANCE_NAME_PATTERN,
  memoInit,
  mountOf,
  pathHolders,
  readMounts,
  validateInstanceName,
  validateSnapshotLabel,
  type DatasetInfo,
  type Exec,
  type Logger,
  type PoolUsage,
  type StorageDriver,
} from '../../plugin-sdk/index.js';
import { btrfsError } from './btrfs-errors.js';
import { byCreation, deleteSubvolumes, dependentsOf, listSubvolumes, type SubvolumeEntry } from './btrfs-subvolumes.js';
import type { BtrfsDriverOptions } from './config.js';
import { assertOnBtrfs, ensureLoopPool, teardownLoopPool, type LoopPool } from './loop-pool.js';
import { recoverInterruptedReverts, swapInSnapshot } from './revert-swap.js';

/** create/clone refuse below this much free space: a Docker data-root on a full pool only fails later, worse. */
export const MIN_FREE_BYTES = 1024 * 1024;

/** Inode number of every btrfs subvolume root. */
const SUBVOLUME_INO = 256;

/** What the driver needs from its host: the exec wrapper and, optionally, a logger. */
export interface BtrfsDriverDeps {
  exec: Exec;
  log?: Logger;
}

/** A snapshot subvolume with its label. */
type Snapshot = SubvolumeEntry & { label: string };

/**
 * StorageDriver on btrfs subvolumes. Layout under the pool root:
 * `instances/<name>` (writable subvolumes, the Docker data-roots) and
 * `snapshots/<name>/<label>` (read-only snapshots). Snapshot order comes from the
 * subvolumes' creation generation, so it needs no side file and survives revert.
 * btrfs itself lets a snapshot be deleted under a clone and a subvolume be deleted while
 * in use; this driver refuses both, so every backend behaves like ZFS.
 */
export class BtrfsDriver implements StorageDriver {
  readonly kind = 'btrfs';
  /** dockerd's btrfs graph driver makes nested subvolumes that snapshots do not include. */
  readonly dockerStorageDriver = 'overlay2';
  private readonly root: string;
  /** `root` with symlinks resolved (init): what /proc shows for files below it. */
  private realRoot: string;
  /** The pool root's path relative to the filesystem's top-level subvolume ('' for a whole-fs mount). */
  private relRoot: string | undefined;
  private readonly initialization = memoInit(() => this.prepare());

  constructor(
    private readonly options: BtrfsDriverOptions,
    private readonly deps: BtrfsDriverDeps,
  ) {
    this.root = resolve(options.existingPath ?? options.mountpoint);
    this.realRoot = this.root;
  }

  private get pool(): LoopPool {
    return { file: resolve(this.options.poolFile), sizeBytes: this.options.poolSizeBytes, mountpoint: resolve(this.options.mountpoint) };
  }

  /**
   * Creates and mounts the image when needed, the two top directories, and finishes
   * interrupted reverts. Idempotent. Every other async method runs it first if nobody has.
   */
  async init(): Promise<void> {
    await this.initialization.run();
  }

  private ready(): Promise<void> {
    return this.initialization.ready();
  }

  private async prepare(): Promise<void> {
    if (!this.options.existingPath) await ensureLoopPool(this.deps.exec, this.pool);
    await assertOnBtrfs(this.root);
    this.realRoot = await realpath(this.root);
    try {
      await mkdir(join(this.root, 'instances'), { recursive: true });
      await mkdir(join(this.root, 'snapshots'), { recursive: true });
    } catch (err) {
      throw btrfsError(`preparing ${this.root}`, err);
    }
    this.relRoot = undefined;
    await this.topLevelPath();
    await recoverInterruptedReverts(this.deps.exec, join(this.root, 'instances'), this.deps.log);
  }

  /** `parts` as a path relative to the filesystem's top-level subvolume, as `btrfs subvolume list` prints them. */
  private async topLevelPath(...parts: string[]): Promise<string> {
    if (this.relRoot === undefined) {
      const mount = mountOf(await readMounts(), this.realRoot);
      if (!mount) throw new DsError('DS_ERR_STORAGE', `no mount found for ${this.realRoot}`);
      this.relRoot = join(mount.root, relative(mount.mountPoint, this.realRoot)).replace(/^\/+/, '').replace(/^\.$/, '');
    }
    return join(this.relRoot, ...parts);
  }

  /**
   * Unmounts the loop pool and deletes its image (tests, uninstall). The daemon never calls
   * it: instances keep running across daemon restarts. No-op for `existing_path`. Idempotent.
   */
  async teardownPool(options: { removeImage?: boolean } = {}): Promise<void> {
    if (this.options.existingPath) return;
    await teardownLoopPool(this.deps.exec, this.pool, options);
  }

  /** @throws DS_ERR_INVALID_NAME: re-checked although the kernel checked it, because the name becomes a path. */
  describe(name: string): DatasetInfo {
    const path = join(this.root, 'instances', validateInstanceName(name));
    return { dataset: path, mountpoint: path };
  }

  private snapshotPath(name: string, label: string): string {
    return join(this.root, 'snapshots', name, label);
  }

  private async isSubvolume(path: string): Promise<boolean> {
    try {
      const st = await stat(path);
      return st.isDirectory() && st.ino === SUBVOLUME_INO;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw btrfsError(`checking ${path}`, err);
    }
  }

  async exists(name: string): Promise<boolean> {
    await this.ready();
    return this.isSubvolume(this.describe(name).mountpoint);
  }

  /** Instance names that have a subvolume, sorted. */
  async list(): Promise<string[]> {
    await this.ready();
    const entries = await readdir(join(this.root, 'instances'));
    const names = entries.filter((e) => INSTANCE_NAME_PATTERN.test(e));
    const present = await Promise.all(names.map(async (n) => ((await this.isSubvolume(join(this.root, 'instances', n))) ? n : undefined)));
    return present.filter((n): n is string => n !== undefined).sort();
  }

  private async requireInstance(name: string): Promise<string> {
    const path = this.describe(name).mountpoint;
    if (!(await this.isSubvolume(path))) throw new DsError('DS_ERR_NOT_FOUND', `dataset for instance "${name}" does not exist`, { details: { name } });
    return path;
  }

  private async requireSnapshot(name: string, label: string): Promise<string> {
    const path = this.snapshotPath(name, validateSnapshotLabel(label));
    if (!(await this.isSubvolume(path))) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${name}"`, { details: { name, label } });
    return path;
  }

  private async assertSpace(what: string): Promise<void> {
    const { freeBytes } = await this.usage();
    if (freeBytes < MIN_FREE_BYTES) throw new DsError('DS_ERR_POOL_FULL', `${what}: no space left in the btrfs pool at ${this.root} (${freeBytes} bytes free)`, { details: { freeBytes } });
  }

  private async btrfs(what: string, args: readonly string[]): Promise<void> {
    try {
      await this.deps.exec('btrfs', args);
    } catch (err) {
      throw btrfsError(what, err);
    }
  }

  /** @throws DS_ERR_EXISTS, DS_ERR_POOL_FULL (less than MIN_FREE_BYTES free), DS_ERR_INVALID_NAME. */
  async create(name: string): Promise<DatasetInfo> {
    await this.ready();
    const info = this.describe(name);
    if (await this.exists(name)) throw new DsError('DS_ERR_EXISTS', `dataset for instance "${name}" already exists`, { details: { name } });
    await this.assertSpace(`creating ${name}`);
    await this.btrfs(`creating ${name}`, ['subvolume', 'create', info.mountpoint]);
    return info;
  }

  /** @throws DS_ERR_NOT_FOUND (no instance), DS_ERR_EXISTS (label used), DS_ERR_INVALID_INPUT (bad label). */
  async snapshot(name: string, label: string): Promise<void> {
    await this.ready();
    validateSnapshotLabel(label);
    const source = await this.requireInstance(name);
    const target = this.snapshotPath(name, label);
    if (await this.isSubvolume(target)) throw new DsError('DS_ERR_EXISTS', `snapshot "${label}" already exists for instance "${name}"`, { details: { name, label } });
    try {
      await mkdir(join(this.root, 'snapshots', name), { recursive: true });
    } catch (err) {
      throw btrfsError(`snapshot ${name}@${label}`, err);
    }
    await this.btrfs(`snapshot ${name}@${label}`, ['subvolume', 'snapshot', '-r', source, target]);
  }

  /** The instance's snapshots, oldest first. */
  private async snapshotsOf(name: string, all?: readonly SubvolumeEntry[]): Promise<Snapshot[]> {
    const prefix = `${await this.topLevelPath('snapshots', name)}/`;
    const rows = all ?? (await listSubvolumes(this.deps.exec, this.root));
    return rows
      .filter((s) => s.path.startsWith(prefix) && !s.path.slice(prefix.length).includes('/'))
      .map((s) => ({ ...s, label: s.path.slice(prefix.length) }))
      .sort(byCreation);
  }

  async listSnapshots(name: string): Promise<string[]> {
    await this.ready();
    await this.requireInstance(name);
    return (await this.snapshotsOf(name)).map((s) => s.label);
  }

  /**
   * Refuses (DS_ERR_CONFLICT) when another subvolume was snapshotted from one of these
   * snapshots — a clone. The instance itself is exempt: after a revert it descends from the
   * snapshot it was reverted to.
   */
  private async assertNoDependents(name: string, labels: readonly string[], all: readonly SubvolumeEntry[]): Promise<void> {
    const snaps = (await this.snapshotsOf(name, all)).filter((s) => labels.includes(s.label));
    const list = dependentsOf(all, snaps, await this.topLevelPath('instances', name)).map((d) => `${d.path} (from ${name}@${d.label})`);
    if (list.length === 0) return;
    throw new DsError('DS_ERR_CONFLICT', `snapshots of instance "${name}" have dependent clones: ${list.join(', ')}`, { details: { name, dependents: list } });
  }

  /** Atomic swap to a writable copy of the snapshot, then deletes the newer snapshots; returns their labels, oldest first. */
  async revert(name: string, label: string): Promise<string[]> {
    await this.ready();
    const current = await this.requireInstance(name);
    const source = await this.requireSnapshot(name, label);
    const all = await listSubvolumes(this.deps.exec, this.root);
    const snaps = await this.snapshotsOf(name, all);
    const newer = snaps.slice(snaps.findIndex((s) => s.label === label) + 1).map((s) => s.label);
    await this.assertNoDependents(name, newer, all);
    await swapInSnapshot(this.deps.exec, { source, current, log: this.deps.log });
    try {
      await deleteSubvolumes(this.deps.exec, newer.map((l) => this.snapshotPath(name, l)));
    } catch (err) {
      throw new DsError('DS_ERR_STORAGE', `reverted ${name} to ${label}, but deleting the newer snapshots failed: ${(err as Error).message}`, { cause: err, details: { name, label, newer } });
    }
    return newer;
  }

  /** @throws DS_ERR_NOT_FOUND (no such snapshot), DS_ERR_EXISTS (target exists), DS_ERR_POOL_FULL. */
  async clone(source: string, label: string, target: string): Promise<DatasetInfo> {
    await this.ready();
    validateInstanceName(source);
    const info = this.describe(target);
    const snap = await this.requireSnapshot(source, label);
    if (await this.exists(target)) throw new DsError('DS_ERR_EXISTS', `dataset for instance "${target}" already exists`, { details: { name: target } });
    await this.assertSpace(`cloning ${source}@${label} to ${target}`);
    await this.btrfs(`cloning ${source}@${label} to ${target}`, ['subvolume', 'snapshot', snap, info.mountpoint]);
    return info;
  }

  /** Idempotent for a missing label. @throws DS_ERR_NOT_FOUND (no instance), DS_ERR_CONFLICT (a clone depends on it). */
  async destroySnapshot(name: string, label: string): Promise<void> {
    await this.ready();
    validateSnapshotLabel(label);
    await this.requireInstance(name);
    const path = this.snapshotPath(name, label);
    if (!(await this.isSubvolume(path))) return;
    await this.assertNoDependents(name, [label], await listSubvolumes(this.deps.exec, this.root));
    await deleteSubvolumes(this.deps.exec, [path]);
  }

  /** Deletes the instance and all its snapshots. Idempotent. @throws DS_ERR_CONFLICT when busy or cloned from. */
  async destroy(name: string): Promise<void> {
    await this.ready();
    const path = this.describe(name).mountpoint;
    const present = await this.isSubvolume(path);
    const all = await listSubvolumes(this.deps.exec, this.root);
    const snaps = await this.snapshotsOf(name, all);
    if (present) {
      const holders = await pathHolders(join(this.realRoot, 'instances', name));
      if (holders.length > 0) throw new DsError('DS_ERR_CONFLICT', `dataset for instance "${name}" is busy: ${holders.join('; ')}`, { details: { name, holders } });
    }
    await this.assertNoDependents(name, snaps.map((s) => s.label), all);
    await deleteSubvolumes(this.deps.exec, [...snaps.map((s) => this.snapshotPath(name, s.label)), ...(present ? [path] : [])]);
    try {
      await rmdir(join(this.root, 'snapshots', name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.deps.log?.warn({ err, name }, 'could not remove the snapshot directory');
    }
  }

  async isBusy(name: string): Promise<boolean> {
    await this.ready();
    const path = this.describe(name).mountpoint;
    if (!(await this.isSubvolume(path))) return false;
    return (await pathHolders(join(this.realRoot, 'instances', name), { limit: 1 })).length > 0;
  }

  /** Size and free space as statfs reports them (what `df` shows). */
  async usage(): Promise<PoolUsage> {
    await this.ready();
    try {
      const s = await statfs(this.root);
      return { sizeBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    } catch (err) {
      throw btrfsError(`usage of ${this.root}`, err);
    }
  }
}
