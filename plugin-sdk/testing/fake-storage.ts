import { DsError } from '../../kernel/errors.js';
import { validateInstanceName, validateSnapshotLabel } from '../../kernel/names.js';
import type { DatasetInfo, PoolUsage, StorageDriver } from '../capabilities/storage.js';

interface FakeDataset {
  files: Map<string, string>;
  snapshots: Array<{ label: string; files: Map<string, string> }>;
  origin?: string;
}

/**
 * An in-memory StorageDriver with real copy-on-write semantics (copies of file maps), a
 * capacity to provoke "pool full", and a busy set to provoke "dataset busy". It passes the
 * same conformance suite as the real backends.
 */
export class FakeStorage implements StorageDriver {
  readonly kind = 'fake';
  readonly dockerStorageDriver = 'vfs';
  readonly datasets = new Map<string, FakeDataset>();
  readonly busy = new Set<string>();

  constructor(private readonly capacityBytes = 64 * 1024 * 1024) {}

  async init(): Promise<void> {}

  describe(name: string): DatasetInfo {
    return { dataset: `fake/instances/${name}`, mountpoint: `/fake/instances/${name}` };
  }

  async exists(name: string): Promise<boolean> {
    return this.datasets.has(name);
  }

  private get(name: string): FakeDataset {
    validateInstanceName(name);
    const ds = this.datasets.get(name);
    if (!ds) throw new DsError('DS_ERR_NOT_FOUND', `dataset for instance "${name}" does not exist`);
    return ds;
  }

  private used(): number {
    let n = 0;
    for (const ds of this.datasets.values()) for (const v of ds.files.values()) n += v.length;
    return n;
  }

  async create(name: string): Promise<DatasetInfo> {
    validateInstanceName(name);
    if (this.capacityBytes - this.used() < 1024 * 1024) throw new DsError('DS_ERR_POOL_FULL', `no space left in the fake pool to create "${name}"`);
    if (this.datasets.has(name)) throw new DsError('DS_ERR_EXISTS', `dataset for instance "${name}" already exists`);
    this.datasets.set(name, { files: new Map(), snapshots: [] });
    return this.describe(name);
  }

  /** Test helper: writes a file into a dataset (fails like a full pool would). */
  writeFile(name: string, path: string, content: string): void {
    if (this.used() + content.length > this.capacityBytes) throw new DsError('DS_ERR_POOL_FULL', `no space left in the fake pool writing ${path}`);
    this.get(name).files.set(path, content);
  }

  readFile(name: string, path: string): string | undefined {
    return this.get(name).files.get(path);
  }

  async snapshot(name: string, label: string): Promise<void> {
    validateSnapshotLabel(label);
    const ds = this.get(name);
    if (ds.snapshots.some((s) => s.label === label)) throw new DsError('DS_ERR_EXISTS', `snapshot "${label}" already exists for instance "${name}"`);
    ds.snapshots.push({ label, files: new Map(ds.files) });
  }

  async listSnapshots(name: string): Promise<string[]> {
    return this.get(name).snapshots.map((s) => s.label);
  }

  async revert(name: string, label: string): Promise<string[]> {
    validateSnapshotLabel(label);
    const ds = this.get(name);
    const i = ds.snapshots.findIndex((s) => s.label === label);
    if (i < 0) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${name}"`);
    const destroyed = ds.snapshots.slice(i + 1).map((s) => s.label);
    for (const l of destroyed) this.assertNoClones(name, l);
    ds.snapshots = ds.snapshots.slice(0, i + 1);
    ds.files = new Map(ds.snapshots[i]!.files);
    return destroyed;
  }

  async clone(source: string, label: string, target: string): Promise<DatasetInfo> {
    validateSnapshotLabel(label);
    validateInstanceName(target);
    const snap = this.get(source).snapshots.find((s) => s.label === label);
    if (!snap) throw new DsError('DS_ERR_NOT_FOUND', `snapshot "${label}" not found for instance "${source}"`);
    if (this.datasets.has(target)) throw new DsError('DS_ERR_EXISTS', `dataset for instance "${target}" already exists`);
    this.datasets.set(target, { files: new Map(snap.files), snapshots: [], origin: `${source}@${label}` });
    return this.describe(target);
  }

  private assertNoClones(name: string, label: string): void {
    const dependents = [...this.datasets].filter(([, d]) => d.origin === `${name}@${label}`).map(([n]) => n);
    if (dependents.length > 0) throw new DsError('DS_ERR_CONFLICT', `snapshot ${name}@${label} has dependent clones: ${dependents.join(', ')}`);
  }

  async destroySnapshot(name: string, label: string): Promise<void> {
    validateSnapshotLabel(label);
    const ds = this.get(name);
    this.assertNoClones(name, label);
    ds.snapshots = ds.snapshots.filter((s) => s.label !== label);
  }

  async destroy(name: string): Promise<void> {
    validateInstanceName(name);
    const ds = this.datasets.get(name);
    if (!ds) return;
    if (this.busy.has(name)) throw new DsError('DS_ERR_CONFLICT', `dataset for instance "${name}" is busy`);
    for (const s of ds.snapshots) this.assertNoClones(name, s.label);
    this.datasets.delete(name);
  }

  async isBusy(name: string): Promise<boolean> {
    return this.busy.has(name);
  }

  async list(): Promise<string[]> {
    return [...this.datasets.keys()].sort();
  }

  async usage(): Promise<PoolUsage> {
    return { sizeBytes: this.capacityBytes, freeBytes: this.capacityBytes - this.used() };
  }
}
