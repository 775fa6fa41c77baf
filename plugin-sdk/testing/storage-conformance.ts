import type { Test } from 'tap';
import type { StorageDriver } from '../capabilities/storage.js';

/** How a test makes an instance busy: a process working in it, a process holding a file open, or a mount below it. */
export type BusyKind = 'cwd' | 'open-file' | 'mount';

/** A driver under test plus file access to its datasets (through the mountpoint for real backends). */
export interface StorageHarness {
  driver: StorageDriver;
  /** Writes a file (parent directories created) into the instance's dataset. */
  writeFile(name: string, rel: string, data: string): Promise<void>;
  /** Reads a file of the instance's dataset; undefined when it does not exist. */
  readFile(name: string, rel: string): Promise<string | undefined>;
  /** Writes incompressible data until `bytes` are written or space runs out; true when it ran out. */
  fill?(name: string, bytes: number): Promise<boolean>;
  /** Makes the instance busy; the returned function releases it. */
  holdBusy?(name: string, kind: BusyKind): Promise<() => Promise<void>>;
}

/** A fresh harness per case; register its cleanup on `t` (it runs even when the case fails). */
export type MakeStorageHarness = (t: Test) => Promise<StorageHarness>;

type Case = (t: Test, h: StorageHarness) => Promise<void>;

const code = (c: string): { code: string } => ({ code: c });

const create: Case = async (t, { driver: d }) => {
  t.equal(await d.exists('alpha'), false, 'absent before create');
  t.same(await d.create('alpha'), d.describe('alpha'), 'create returns describe()');
  t.equal(await d.exists('alpha'), true);
  await t.rejects(d.create('alpha'), code('DS_ERR_EXISTS'), 'duplicate create');
  t.same(await d.listSnapshots('alpha'), [], 'a new dataset has no snapshots');
  await d.create('beta');
  if (d.list) t.same(await d.list(), ['alpha', 'beta'], 'list() names every dataset');
  const u = await d.usage();
  t.ok(u.sizeBytes > 0 && u.freeBytes >= 0 && u.freeBytes <= u.sizeBytes, `usage is sane: ${JSON.stringify(u)}`);
  await d.init();
  t.equal(await d.exists('alpha'), true, 'init() again keeps what exists');
};

const files: Case = async (t, h) => {
  await h.driver.create('fa');
  await h.driver.create('fb');
  await h.writeFile('fa', 'f', 'in-a');
  await h.writeFile('fb', 'f', 'in-b');
  await h.writeFile('fa', 'dir/sub/g', 'nested');
  t.equal(await h.readFile('fa', 'f'), 'in-a');
  t.equal(await h.readFile('fb', 'f'), 'in-b', 'datasets are independent');
  t.equal(await h.readFile('fa', 'dir/sub/g'), 'nested');
  t.equal(await h.readFile('fb', 'dir/sub/g'), undefined);
};

const snapshot: Case = async (t, h) => {
  const d = h.driver;
  await d.create('snap');
  await h.writeFile('snap', 'f', 'v1');
  await d.snapshot('snap', 's1');
  await t.rejects(d.snapshot('snap', 's1'), code('DS_ERR_EXISTS'), 'duplicate label');
  await t.rejects(d.snapshot('nosuch', 's1'), code('DS_ERR_NOT_FOUND'), 'unknown instance');
  await h.writeFile('snap', 'f', 'v2');
  t.equal(await h.readFile('snap', 'f'), 'v2', 'the live dataset stays writable');
  t.same(await d.listSnapshots('snap'), ['s1']);
};

const order: Case = async (t, { driver: d }) => {
  await d.create('ord');
  const labels = ['zeta', 'alpha', 'm:2', 'Beta.1', 'a-0', 'a_1'];
  for (const l of labels) await d.snapshot('ord', l);
  t.same(await d.listSnapshots('ord'), labels, 'creation order, not name order');
  await d.destroySnapshot('ord', 'alpha');
  t.same(await d.listSnapshots('ord'), labels.filter((l) => l !== 'alpha'), 'order kept after a delete');
  await t.rejects(d.listSnapshots('nosuch'), code('DS_ERR_NOT_FOUND'));
};

const revert: Case = async (t, h) => {
  const d = h.driver;
  await d.create('rev');
  await h.writeFile('rev', 'f', 'v1');
  await h.writeFile('rev', 'g', 'keep');
  await d.snapshot('rev', 's1');
  await h.writeFile('rev', 'f', 'v2');
  await h.writeFile('rev', 'h', 'later');
  await d.snapshot('rev', 's2');
  await h.writeFile('rev', 'f', 'v3');
  await d.snapshot('rev', 's3');
  await h.writeFile('rev', 'f', 'v4');
  t.same(await d.revert('rev', 's1'), ['s2', 's3'], 'returns the destroyed newer labels, oldest first');
  t.equal(await h.readFile('rev', 'f'), 'v1', 'old data is back');
  t.equal(await h.readFile('rev', 'g'), 'keep');
  t.equal(await h.readFile('rev', 'h'), undefined, 'files created after the snapshot are gone');
  t.same(await d.listSnapshots('rev'), ['s1']);
  await h.writeFile('rev', 'f', 'v5');
  await d.snapshot('rev', 's4');
  t.same(await d.listSnapshots('rev'), ['s1', 's4'], 'a snapshot after a revert lists last');
  await h.writeFile('rev', 'f', 'v6');
  t.same(await d.revert('rev', 's4'), [], 'revert to the newest destroys nothing');
  t.equal(await h.readFile('rev', 'f'), 'v5');
  t.same(await d.revert('rev', 's1'), ['s4']);
  t.equal(await h.readFile('rev', 'f'), 'v1', 'reverting twice to one snapshot works');
  await t.rejects(d.revert('rev', 'nosuch'), code('DS_ERR_NOT_FOUND'), 'unknown label');
  await t.rejects(d.revert('nosuch', 's1'), code('DS_ERR_NOT_FOUND'), 'unknown instance');
};

const clone: Case = async (t, h) => {
  const d = h.driver;
  await d.create('src');
  await d.snapshot('src', 's0');
  await h.writeFile('src', 'f', 'src-v1');
  await d.snapshot('src', 's1');
  await h.writeFile('src', 'f', 'src-v2');
  await d.snapshot('src', 's2');
  t.same(await d.clone('src', 's1', 'dst'), d.describe('dst'), 'clone returns describe(target)');
  t.equal(await d.exists('dst'), true);
  t.equal(await h.readFile('dst', 'f'), 'src-v1', 'the clone has the snapshot data');
  await h.writeFile('dst', 'f', 'dst-v1');
  await h.writeFile('dst', 'only-dst', 'x');
  t.equal(await h.readFile('src', 'f'), 'src-v2', 'clone writes are invisible in the source');
  t.equal(await h.readFile('src', 'only-dst'), undefined);
  await h.writeFile('src', 'f', 'src-v3');
  t.equal(await h.readFile('dst', 'f'), 'dst-v1', 'source writes are invisible in the clone');
  t.same(await d.listSnapshots('dst'), [], 'a clone starts without snapshots');
  await t.rejects(d.clone('src', 'nosuch', 'dst2'), code('DS_ERR_NOT_FOUND'), 'unknown label');
  await t.rejects(d.clone('src', 's1', 'dst'), code('DS_ERR_EXISTS'), 'existing target');
  await t.rejects(d.destroySnapshot('src', 's1'), code('DS_ERR_CONFLICT'), 'snapshot with a dependent clone');
  await t.rejects(d.revert('src', 's0'), code('DS_ERR_CONFLICT'), 'revert that would destroy a cloned snapshot');
  t.equal(await h.readFile('src', 'f'), 'src-v3', 'the refused revert changed nothing');
  t.same(await d.listSnapshots('src'), ['s0', 's1', 's2']);
  await t.rejects(d.destroy('src'), code('DS_ERR_CONFLICT'), 'destroy of a cloned-from dataset');
  t.equal(await d.exists('src'), true);
  await d.destroy('dst');
  await d.destroySnapshot('src', 's1');
  t.same(await d.listSnapshots('src'), ['s0', 's2'], 'without the clone the snapshot can go');
  await d.destroy('src');
};

const destroy: Case = async (t, h) => {
  const d = h.driver;
  await d.create('gone');
  await h.writeFile('gone', 'f', 'x');
  await d.snapshot('gone', 'a');
  await d.snapshot('gone', 'b');
  await d.destroy('gone');
  t.equal(await d.exists('gone'), false);
  await t.rejects(d.listSnapshots('gone'), code('DS_ERR_NOT_FOUND'), 'snapshots went with it');
  await d.destroy('gone');
  await d.destroy('never');
  t.pass('destroy is idempotent');
  if (d.list) t.same(await d.list(), [], 'list() no longer names it');
  await d.create('gone');
  t.same(await d.listSnapshots('gone'), [], 're-created dataset is fresh');
  t.equal(await h.readFile('gone', 'f'), undefined);
};

const destroySnapshot: Case = async (t, h) => {
  const d = h.driver;
  await d.create('ds');
  for (const l of ['s1', 's2', 's3']) await d.snapshot('ds', l);
  await d.destroySnapshot('ds', 's2');
  t.same(await d.listSnapshots('ds'), ['s1', 's3']);
  await d.destroySnapshot('ds', 's2');
  t.pass('destroying a missing snapshot is a no-op');
  await t.rejects(d.destroySnapshot('nosuch', 's1'), code('DS_ERR_NOT_FOUND'), 'unknown instance');
  t.same(await d.revert('ds', 's1'), ['s3'], 'revert reports only snapshots that still existed');
};

const busy: Case = async (t, h) => {
  const d = h.driver;
  t.equal(await d.isBusy('never'), false, 'a missing dataset is not busy');
  await d.create('busy');
  await h.writeFile('busy', 'f', 'kept');
  t.equal(await d.isBusy('busy'), false, 'idle after create');
  if (!h.holdBusy) return void t.pass('busy holders', { skip: 'the harness cannot make a dataset busy' });
  for (const kind of ['cwd', 'open-file', 'mount'] as const) {
    const release = await h.holdBusy('busy', kind);
    try {
      t.equal(await d.isBusy('busy'), true, `busy with ${kind}`);
      await t.rejects(d.destroy('busy'), code('DS_ERR_CONFLICT'), `destroy refused (${kind})`);
      t.equal(await h.readFile('busy', 'f'), 'kept', 'the refused destroy kept the data');
    } finally {
      await release();
    }
    t.equal(await d.isBusy('busy'), false, `idle again after ${kind}`);
  }
  await d.destroy('busy');
  t.equal(await d.exists('busy'), false);
};

const EDGE_NAMES = ['a', 'z9', 'a-', 'a--b', 'ab'.repeat(16), `q${'-'.repeat(31)}`];

const names: Case = async (t, h) => {
  const d = h.driver;
  for (const n of EDGE_NAMES) {
    await d.create(n);
    await h.writeFile(n, 'f', `data of ${n}`);
    await d.snapshot(n, 'l');
  }
  for (const n of EDGE_NAMES) t.equal(await h.readFile(n, 'f'), `data of ${n}`, JSON.stringify(n));
  await d.clone('a', 'l', 'c'.repeat(32));
  t.equal(await h.readFile('c'.repeat(32), 'f'), 'data of a', 'clone into a 32-char name');
  await d.destroy('c'.repeat(32));
  for (const n of EDGE_NAMES) await d.destroy(n);
  for (const n of EDGE_NAMES) t.equal(await d.exists(n), false);
};

const badNames: Case = async (t, { driver: d }) => {
  await d.create('ok');
  await d.snapshot('ok', 'l');
  for (const bad of ['', 'A', '1a', '-a', 'a_b', 'a/b', '../a', 'a'.repeat(33), 'a b', 'a.b']) {
    await t.rejects(d.create(bad), code('DS_ERR_INVALID_NAME'), `create ${JSON.stringify(bad)}`);
    await t.rejects(d.clone('ok', 'l', bad), code('DS_ERR_INVALID_NAME'), `clone to ${JSON.stringify(bad)}`);
  }
};

const labels: Case = async (t, { driver: d }) => {
  await d.create('lab');
  const good = ['1', 'Z', 'v1.2:3-rc_4', 'x'.repeat(64)];
  for (const l of good) await d.snapshot('lab', l);
  t.same(await d.listSnapshots('lab'), good, 'labels at the edge of the pattern');
  await d.clone('lab', 'x'.repeat(64), 'lab-clone');
  for (const bad of ['', '-a', '.a', '..', '../x', 'a b', 'a/b', 'a@b', 'x'.repeat(65), 'é']) {
    const what = JSON.stringify(bad);
    await t.rejects(d.snapshot('lab', bad), code('DS_ERR_INVALID_INPUT'), `snapshot ${what}`);
    await t.rejects(d.revert('lab', bad), code('DS_ERR_INVALID_INPUT'), `revert ${what}`);
    await t.rejects(d.clone('lab', bad, 'lab-bad'), code('DS_ERR_INVALID_INPUT'), `clone ${what}`);
    await t.rejects(d.destroySnapshot('lab', bad), code('DS_ERR_INVALID_INPUT'), `destroySnapshot ${what}`);
  }
  t.same(await d.listSnapshots('lab'), good, 'nothing was created by a bad label');
};

const poolFull: Case = async (t, h) => {
  const d = h.driver;
  if (!h.fill) return void t.pass('pool full', { skip: 'the harness cannot fill the pool' });
  await d.create('full');
  t.equal(await h.fill('full', 64 * 1024 ** 3), true, 'writing ran out of space');
  const u = await d.usage();
  t.ok(u.freeBytes <= u.sizeBytes * 0.1, `usage shows a full pool: ${JSON.stringify(u)}`);
  await t.rejects(d.create('after'), code('DS_ERR_POOL_FULL'), 'create on a full pool');
  const snap = await d.snapshot('full', 'x').then(() => 'ok', (err: { code?: string }) => err.code);
  t.ok(snap === 'ok' || snap === 'DS_ERR_POOL_FULL', `snapshot on a full pool succeeds or says DS_ERR_POOL_FULL (got ${snap})`);
};

/** The cases, by the names `todo`/`skip` options use. */
export const STORAGE_CASES = {
  create, files, snapshot, order, revert, clone, destroy,
  'destroy-snapshot': destroySnapshot, busy, names, 'bad-names': badNames, labels, 'pool-full': poolFull,
} satisfies Record<string, Case>;

export type StorageCase = keyof typeof STORAGE_CASES;

export interface StorageConformanceOptions {
  /** Cases this backend is known to fail, with why; they run as tap `todo` (reported, not failing). */
  todo?: Partial<Record<StorageCase, string>>;
}

/**
 * The one storage conformance suite (containerd-style): every StorageDriver — the fake,
 * btrfs, ZFS, third-party — must pass it. Each case gets a fresh harness from
 * `makeHarness`, as a subtest named `<name>: <case>`.
 */
export async function runStorageConformance(t: Test, name: string, makeHarness: MakeStorageHarness, options: StorageConformanceOptions = {}): Promise<void> {
  for (const [id, run] of Object.entries(STORAGE_CASES) as Array<[StorageCase, Case]>) {
    const todo = options.todo?.[id];
    await t.test(`${name}: ${id}`, { todo: todo ?? false }, async (t) => run(t, await makeHarness(t)));
  }
}
