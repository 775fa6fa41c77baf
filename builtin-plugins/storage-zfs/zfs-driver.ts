import { join } from 'node:path';
import {
  DsError,
  INSTANCE_NAME_PATTERN,
  isDsError,
  memoInit,
  pathHolders,
  validateInstanceName,
  validateSnapshotLabel,
  type DatasetInfo,
  type Exec,
  type Logger,
  type MountEntry,
  type PoolUsage,
  type StorageDriver,
} from '../../plugin-sdk/index.js';
import type { ZfsDriverOptions } from './config.js';
import { datasetExists, ensureMounted, ensureParent, ensurePool, ensureZfsAnswers } from './zfs-pool.js';
import { isMissing, zfsError, zfsErrorText } from './zfs-errors.js';

/** Retries of a "busy" that no holder explains (zfs-fuse; see unmountingOp). */
const BUSY_RETRIES = 6;

/** What the driver needs from its host: the exec wrapper and, optionally, a logger. */
export interface ZfsDriverDeps {
  exec: Exec;
  log?: Logger;
}

/**
 * StorageDriver on ZFS datasets `<pool>/<prefix>/<name>` (OpenZFS or zfs-fuse). Recursive
 * snapshot, rollback and destroy, as the original. Mountpoints are read from ZFS, not
 * assumed; `describe` derives them from the parent's until a dataset has been seen.
 */
export class ZfsDriver implements StorageDriver {
  readonly kind = 'zfs';
  readonly dockerStorageDriver: string;
  /** `<pool>/<prefix>`: must exist before any instance dataset (init creates it). */
  readonly parent: string;
  private parentMountpoint: string;
  private readonly mountpoints = new Map<string, string>();
  private readonly initialization = memoInit(() => this.prepare());

  constructor(
    private readonly options: ZfsDriverOptions,
    private readonly deps: ZfsDriverDeps,
  ) {
    this.dockerStorageDriver = options.dockerStorageDriver;
    this.parent = `${options.pool}/${options.datasetPrefix}`;
    this.parentMountpoint = join(options.mountpointRoot, options.datasetPrefix);
  }

  /**
   * Starts zfs-fuse if configured, imports or creates the pool if configured, creates the
   * parent dataset. Idempotent. Every other async method runs it first if nobody has.
   */
  async init(): Promise<void> {
    await this.initialization.run();
  }

  private ready(): Promise<void> {
    return this.initialization.ready();
  }

  private async prepare(): Promise<void> {
    await ensureZfsAnswers(this.deps.exec, this.options, this.deps.log);
    await ensurePool(this.deps.exec, this.options);
    await ensureParent(this.deps.exec, this.parent);
    await ensureMounted(this.deps.exec, this.parent);
    this.parentMountpoint = await this.mountpointOf(this.parent);
  }

  private async zfs(what: string, args: readonly string[]): Promise<string> {
    try {
      return (await this.deps.exec('zfs', args)).stdout;
    } catch (err) {
      throw zfsError(what, err);
    }
  }

  private async mountpointOf(dataset: string): Promise<string> {
    const value = (await this.zfs(`reading the mountpoint of ${dataset}`, ['get', '-H', '-o', 'value', 'mountpoint', dataset])).trim();
    if (!value.startsWith('/')) throw new DsError('DS_ERR_STORAGE', `dataset ${dataset} has mountpoint "${value}"; dockersnap needs a mounted path`, { details: { dataset } });
    return value;
  }

  /** @throws DS_ERR_INVALID_NAME: re-checked although the kernel checked it, because the name becomes a dataset. */
  private dataset(name: string): string {
    return `${this.parent}/${validateInstanceName(name)}`;
  }

  describe(name: string): DatasetInfo {
    return { dataset: this.dataset(name), mountpoint: this.mountpoints.get(name) ?? join(this.parentMountpoint, name) };
  }

  /** Reads the mountpoint ZFS gave the dataset and remembers it for `describe`. */
  private async learn(name: string): Promise<DatasetInfo> {
    this.mountpoints.set(name, await this.mountpointOf(this.dataset(name)));
    return this.describe(name);
  }

  async exists(name: string): Promise<boolean> {
    await this.ready();
    return datasetExists(this.deps.exec, this.dataset(name));
  }

  /** Instance names that have a dataset under `<pool>/<prefix>`, sorted. */
  async list(): Promise<string[]> {
    await this.ready();
    const out = await this.zfs('listing instances', ['list', '-H', '-o', 'name', '-t', 'filesystem', '-d', '1', this.parent]);
    const prefix = `${this.parent}/`;
    return out.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length)).filter((n) => INSTANCE_NAME_PATTERN.test(n)).sort();
  }

  /** @throws DS_ERR_EXISTS, DS_ERR_POOL_FULL, DS_ERR_INVALID_NAME. */
  async create(name: string): Promise<DatasetInfo> {
    await this.ready();
    await this.zfs(`creating ${name}`, ['create', this.dataset(name)]);
    return this.learn(name);
  }

  /** Recursive snapshot. @throws DS_ERR_NOT_FOUND, DS_ERR_EXISTS, DS_ERR_INVALID_INPUT, DS_ERR_POOL_FULL. */
  async snapshot(name: string, label: string): Promise<void> {
    await this.ready();
    validateSnapshotLabel(label);
    await this.zfs(`snapshot ${name}@${label}`, ['snapshot', '-r', `${this.dataset(name)}@${label}`]);
  }

  async listSnapshots(name: string): Promise<string[]> {
    await this.ready();
    const ds = this.dataset(name);
    const out = await this.zfs(`listing snapshots of ${name}`, ['list', '-H', '-t', 'snapshot', '-o', 'name', '-s', 'creation', '-d', '1', ds]);
    return out.split('\n').filter((l) => l.startsWith(`${ds}@`)).map((l) => l.slice(ds.length + 1));
  }

  /** Datasets anywhere in the pool cloned from one of `snapshots` (full snapshot names). */
  private async clonesOf(snapshots: readonly string[]): Promise<string[]> {
    if (snapshots.length === 0) return [];
    const out = await this.zfs('listing clones', ['list', '-H', '-t', 'filesystem', '-o', 'name,origin', '-r', this.options.pool]);
    const wanted = new Set(snapshots);
    return out.split('\n').map((l) => l.split('\t')).filter(([, origin]) => origin !== undefined && wanted.has(origin)).map(([n]) => n!);
  }

  private async assertNoClones(name: string, labels: readonly string[]): Promise<void> {
    const clones = await this.clonesOf(labels.map((l) => `${this.dataset(name)}@${l}`));
    if (clones.length > 0) throw new DsError('DS_ERR_CONFLICT', `snapshots of instance "${name}" have dependent clones: ${clones.join(', ')}`, { details: { name, clones } });
  }

  /** `zfs rollback -r`: returns the newer labels it destroys (oldest first), computed before. */
  async revert(name: string, label: string): Promise<string[]> {
    await this.ready();
    validateSnapshotLabel(label);
    const labels = await this.listSnapshots(name);
    const i = labels.indexOf(label);
    if (i < 0) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${name}"`, { details: { name, label } });
    const newer = labels.slice(i + 1);
    await this.assertNoClones(name, newer);
    await this.unmountingOp(name, `revert ${name}@${label}`, ['rollback', '-r', `${this.dataset(name)}@${label}`]);
    return newer;
  }

  /** @throws DS_ERR_NOT_FOUND (no such snapshot), DS_ERR_EXISTS (target exists), DS_ERR_POOL_FULL. */
  async clone(source: string, label: string, target: string): Promise<DatasetInfo> {
    await this.ready();
    validateSnapshotLabel(label);
    const snap = `${this.dataset(source)}@${label}`;
    if (!(await datasetExists(this.deps.exec, snap))) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${source}"`, { details: { name: source, label } });
    await this.zfs(`cloning ${snap} to ${target}`, ['clone', snap, this.dataset(target)]);
    return this.learn(target);
  }

  /** Idempotent for a missing label. @throws DS_ERR_NOT_FOUND (no instance), DS_ERR_CONFLICT (a clone depends on it). */
  async destroySnapshot(name: string, label: string): Promise<void> {
    await this.ready();
    validateSnapshotLabel(label);
    if (!(await this.exists(name))) throw new DsError('DS_ERR_NOT_FOUND', `dataset for instance "${name}" does not exist`, { details: { name } });
    try {
      await this.deps.exec('zfs', ['destroy', `${this.dataset(name)}@${label}`]);
    } catch (err) {
      if (!isMissing(err)) throw zfsError(`destroying ${name}@${label}`, err);
    }
  }

  /** What holds the dataset, not counting its own mount and its child datasets' mounts. */
  private async holders(name: string, limit?: number): Promise<string[]> {
    const ds = this.dataset(name);
    const mountpoint = this.describe(name).mountpoint;
    const own = (m: MountEntry): boolean => m.mountPoint === mountpoint || ((m.fsType === 'zfs' || m.fsType === 'fuse.zfs') && (m.source.startsWith(`${ds}/`) || m.source.startsWith(`${ds}@`)));
    return pathHolders(mountpoint, { ignoreMount: own, ...(limit ? { limit } : {}) });
  }

  /**
   * Runs a zfs command that unmounts the dataset (destroy, rollback). On FUSE the kernel
   * keeps a mount busy until the daemon has answered the RELEASE of the last closed file,
   * so right after a write zfs-fuse may say "busy" with no holder left: retry that case
   * briefly (about 3 s in all), and only while the holder scan finds nothing.
   */
  private async unmountingOp(name: string, what: string, args: readonly string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.exec('zfs', args);
        return;
      } catch (err) {
        const mapped = zfsError(what, err);
        const transient = mapped.code === 'DS_ERR_CONFLICT' && /busy|umount failed/i.test(zfsErrorText(err));
        if (!transient || attempt >= BUSY_RETRIES || (await this.holders(name, 1)).length > 0) throw mapped;
        this.deps.log?.debug({ what, attempt }, 'zfs says busy but nothing holds the dataset; retrying');
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  /** `zfs destroy -r`. Idempotent. @throws DS_ERR_CONFLICT when busy or with dependent clones. */
  async destroy(name: string): Promise<void> {
    await this.ready();
    if (!(await this.exists(name))) return;
    await this.learn(name);
    const holders = await this.holders(name);
    if (holders.length > 0) throw new DsError('DS_ERR_CONFLICT', `dataset for instance "${name}" is busy: ${holders.join('; ')}`, { details: { name, holders } });
    try {
      await this.unmountingOp(name, `destroying ${name}`, ['destroy', '-r', this.dataset(name)]);
    } catch (err) {
      if (!isDsError(err) || err.code !== 'DS_ERR_NOT_FOUND') throw err;
    }
    this.mountpoints.delete(name);
  }

  async isBusy(name: string): Promise<boolean> {
    await this.ready();
    if (!(await this.exists(name))) return false;
    await this.learn(name);
    return (await this.holders(name, 1)).length > 0;
  }

  /** The pool's used + available bytes as ZFS accounts them (`zfs get -Hp used,available`). */
  async usage(): Promise<PoolUsage> {
    await this.ready();
    const out = await this.zfs('reading pool usage', ['get', '-Hp', '-o', 'value', 'used,available', this.options.pool]);
    const [used, avail] = out.trim().split('\n').map(Number);
    if (!Number.isFinite(used) || !Number.isFinite(avail)) throw new DsError('DS_ERR_STORAGE', `unexpected zfs get output: ${out}`);
    return { sizeBytes: used! + avail!, freeBytes: avail! };
  }
}
