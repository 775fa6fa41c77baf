import { defineCapability } from '../capability.js';

export interface DatasetInfo {
  /** Backend name of the dataset, e.g. `dockersnap/instances/demo` or a subvolume path. */
  dataset: string;
  /** Where the dataset is mounted; the instance's Docker data-root. */
  mountpoint: string;
}

export interface PoolUsage {
  sizeBytes: number;
  freeBytes: number;
}

/**
 * A copy-on-write storage backend (btrfs, ZFS, …). Every method is keyed by instance name;
 * the backend derives its own dataset names. All mutating calls require the instance's
 * dockerd to be stopped (the kernel guarantees that).
 */
export interface StorageDriver {
  /** Short backend name: `btrfs`, `zfs`, `fake`. */
  readonly kind: string;
  /** Docker graph driver that works on this backend (overlay2, fuse-overlayfs …). */
  readonly dockerStorageDriver: string;
  /** Prepares the pool (idempotent). @throws DS_ERR_STORAGE */
  init(): Promise<void>;
  /** Dataset name and mountpoint an instance has or would have. Pure. */
  describe(name: string): DatasetInfo;
  exists(name: string): Promise<boolean>;
  /** @throws DS_ERR_EXISTS if present, DS_ERR_POOL_FULL when out of space. */
  create(name: string): Promise<DatasetInfo>;
  /** Read-only point-in-time copy. @throws DS_ERR_EXISTS for a used label. */
  snapshot(name: string, label: string): Promise<void>;
  /** Labels, oldest first. */
  listSnapshots(name: string): Promise<string[]>;
  /**
   * Makes the dataset equal to the snapshot. Snapshots newer than `label` are destroyed
   * (the caller checks `force`). Returns the labels destroyed.
   */
  revert(name: string, label: string): Promise<string[]>;
  /** A writable copy of `source@label` as a new instance's dataset. */
  clone(source: string, label: string, target: string): Promise<DatasetInfo>;
  /** Removes a snapshot. @throws DS_ERR_CONFLICT if a clone depends on it. */
  destroySnapshot(name: string, label: string): Promise<void>;
  /** Removes the dataset with all its snapshots. Idempotent. @throws DS_ERR_CONFLICT when busy or with dependent clones. */
  destroy(name: string): Promise<void>;
  /** Whether anything still holds the dataset (open files, mounts below it). */
  isBusy(name: string): Promise<boolean>;
  usage(): Promise<PoolUsage>;
  /** Instance names that have a dataset (reconcile reports those without a state row). */
  list?(): Promise<string[]>;
}

export const storageCapability = defineCapability<StorageDriver, 'single'>({
  id: 'storage',
  cardinality: 'single',
  description: 'copy-on-write datasets with snapshot, revert and clone',
});
