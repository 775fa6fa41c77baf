import type { Test } from 'tap';
import { isDsError } from '../../kernel/errors.js';
import type { StateStore } from '../capabilities/state.js';
import { ZERO_TIME, type InstanceRecord, type StateDocument } from '../state-types.js';

/**
 * The conformance suite every `state` capability provider must pass (the JSON file today,
 * SQLite or anything else tomorrow), in the manner of containerd's snapshotter suite.
 */

/** Access to the raw stored form, for the cases that plant or inspect what is on disk. */
export interface StateConformanceRaw {
  /** Stores `doc` (any JSON value, valid or not) where `makeStore(dir)` will read it. */
  write(dir: string, doc: unknown): Promise<void>;
  /** The stored form as text (bytes compared as-is), or undefined when nothing is stored. */
  read(dir: string): Promise<string | undefined>;
}

/** A complete, valid record, so cases fail only for the reason they test. */
export function sampleInstance(name: string, index = 0): InstanceRecord {
  return {
    name,
    dataset: `dockersnap/instances/${name}`,
    subnet: `10.${10 + index}.0.0/16`,
    subnet_index: index,
    metallb_ip: `10.${10 + index}.10.10`,
    socket: `/run/dockersnap/${name}.sock`,
    pid_file: `/run/dockersnap/${name}.pid`,
    created_at: '2026-04-30T10:00:00.412345678+02:00',
    status: 'running',
    snapshots: [{ label: 'golden', created_at: '2026-04-30T11:02:03.5+02:00', tags: { version: '2.5.0' } }],
    workload_plugin: 'kind',
    workload_config: { cluster_name: name, retries: 3, wait_ready: true },
    workload_contract_version: '1',
  };
}

async function snapshot(store: StateStore): Promise<StateDocument> {
  return store.view((s) => structuredClone(s) as StateDocument);
}

async function rejection(t: Test, promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      t.fail('expected a rejection');
      return undefined;
    },
    (err: unknown) => err,
  );
}

type MakeStore = (dir: string) => Promise<StateStore>;

function basics(t: Test, makeStore: MakeStore): void {
  t.test('nothing stored reads as the empty state', async (t) => {
    const store = await makeStore(t.testdir());
    t.strictSame(await snapshot(store), { instances: {}, next_subnet_index: 0 });
  });

  t.test('update persists: view and a fresh store see it', async (t) => {
    const dir = t.testdir();
    const store = await makeStore(dir);
    const result = await store.update(async (s) => {
      await new Promise((r) => setImmediate(r));
      s.instances.demo = sampleInstance('demo');
      s.next_subnet_index = 1;
      return 'done';
    });
    t.equal(result, 'done', "update resolves to fn's result");
    const expected = { instances: { demo: sampleInstance('demo') }, next_subnet_index: 1 };
    t.strictSame(await snapshot(store), expected);
    t.strictSame(await snapshot(await makeStore(dir)), expected, 'a fresh store reads it back');
  });

  t.test('every read sees writes made by another store on the same location', async (t) => {
    const dir = t.testdir();
    const a = await makeStore(dir);
    const b = await makeStore(dir);
    await a.update((s) => void (s.instances.one = sampleInstance('one')));
    t.ok(await b.view((s) => 'one' in s.instances), 'b sees a');
    await b.update((s) => void (s.instances.two = sampleInstance('two', 1)));
    const seen = await a.update((s) => Object.keys(s.instances).sort());
    t.strictSame(seen, ['one', 'two'], "a's next update starts from b's write");
  });

  t.test('a throwing fn writes nothing and its error propagates unchanged', async (t) => {
    const dir = t.testdir();
    const store = await makeStore(dir);
    await store.update((s) => void (s.instances.demo = sampleInstance('demo')));
    const before = await snapshot(store);
    const boom = new Error('boom');
    const err = await rejection(
      t,
      store.update((s) => {
        s.instances.demo!.status = 'stopped';
        delete s.instances.demo;
        s.next_subnet_index = 99;
        throw boom;
      }),
    );
    t.equal(err, boom, 'the very same error object');
    t.strictSame(await snapshot(store), before);
    t.strictSame(await snapshot(await makeStore(dir)), before);
  });

  t.test('a document fn leaves invalid is refused and nothing is written', async (t) => {
    const dir = t.testdir();
    const store = await makeStore(dir);
    await store.update((s) => void (s.instances.demo = sampleInstance('demo')));
    const before = await snapshot(store);
    const err = await rejection(t, store.update((s) => void (s.instances.demo!.name = 'other')));
    t.ok(isDsError(err) && err.code === 'DS_ERR_INTERNAL', `DS_ERR_INTERNAL (got ${String(err)})`);
    t.strictSame(await snapshot(await makeStore(dir)), before);
  });
}

function concurrency(t: Test, makeStore: MakeStore): void {
  t.test('concurrent updates from many async callers are all applied', async (t) => {
    const dir = t.testdir();
    const store = await makeStore(dir);
    const callers = 25;
    await Promise.all(
      Array.from({ length: callers }, (_, i) =>
        store.update(async (s) => {
          const seen = s.next_subnet_index;
          await new Promise((r) => setTimeout(r, i % 3)); // widen the read-modify-write window
          s.next_subnet_index = seen + 1;
          s.instances[`i${i}`] = sampleInstance(`i${i}`, i);
        }),
      ),
    );
    const after = await snapshot(await makeStore(dir));
    t.equal(after.next_subnet_index, callers, 'no lost update');
    t.equal(Object.keys(after.instances).length, callers);
  });

  t.test('view and update hand out private copies', async (t) => {
    const dir = t.testdir();
    const store = await makeStore(dir);
    const kept = await store.update((s) => {
      s.instances.demo = sampleInstance('demo');
      return s.instances.demo;
    });
    kept.status = 'error';
    kept.snapshots.push({ label: 'leak', created_at: ZERO_TIME });
    await store.view((s) => {
      (s as StateDocument).next_subnet_index = 42;
      (s.instances.demo as InstanceRecord).snapshots.length = 0;
    });
    const viewed = await snapshot(store);
    viewed.instances.demo!.dataset = 'changed';
    const fresh = await snapshot(await makeStore(dir));
    t.strictSame(fresh, { instances: { demo: sampleInstance('demo') }, next_subnet_index: 0 });
    t.strictSame(await snapshot(store), fresh, 'the same store is not affected either');
    await store.update((s) => void (s.next_subnet_index = 1));
    t.strictSame((await snapshot(store)).instances.demo, sampleInstance('demo'), 'nor the next update');
  });
}

function rawCases(t: Test, makeStore: MakeStore, raw: StateConformanceRaw): void {
  t.test('legacy rows are converted and unknown fields dropped', async (t) => {
    const dir = t.testdir();
    const { snapshots: _s, ...rest } = sampleInstance('old');
    await raw.write(dir, {
      instances: { old: { ...rest, snapshots: ['golden', 'later'], kind_cluster: 'old' }, nil: { ...sampleInstance('nil', 1), snapshots: null } },
      next_subnet_index: 2,
      unknown_top: true,
    });
    const store = await makeStore(dir);
    const state = await snapshot(store);
    t.strictSame(state.instances.old!.snapshots, [{ label: 'golden', created_at: ZERO_TIME }, { label: 'later', created_at: ZERO_TIME }]);
    t.strictSame(state.instances.nil!.snapshots, []);
    t.notOk('kind_cluster' in state.instances.old!);
    t.notOk('unknown_top' in state);
    await store.update(() => {});
    const text = (await raw.read(dir)) ?? '';
    t.notMatch(text, 'kind_cluster', 'dropped on the next write');
    t.strictSame(await snapshot(await makeStore(dir)), state, 'the converted form was written back');
  });

  const invalid: [string, (doc: { instances: Record<string, unknown> }) => void][] = [
    ['a null entry', (d) => void (d.instances.demo = null)],
    ['a map key that differs from the name', (d) => void (d.instances.demo = sampleInstance('other'))],
    ['an empty name', (d) => void (d.instances.demo = { ...sampleInstance('demo'), name: '' })],
    ['an empty dataset', (d) => void (d.instances.demo = { ...sampleInstance('demo'), dataset: '' })],
    ['an empty subnet', (d) => void (d.instances.demo = { ...sampleInstance('demo'), subnet: '' })],
    ['a missing subnet', (d) => void delete (d.instances.demo as Partial<InstanceRecord>).subnet],
    ['instances that is not an object', (d) => void (d.instances = [] as unknown as Record<string, unknown>)],
  ];
  for (const [what, spoil] of invalid) {
    t.test(`invalid stored document (${what}) is rejected with DS_ERR_STATE_CORRUPT and left untouched`, async (t) => {
      const dir = t.testdir();
      const doc = { instances: { demo: sampleInstance('demo') } as Record<string, unknown>, next_subnet_index: 1 };
      spoil(doc);
      await raw.write(dir, doc);
      const before = await raw.read(dir);
      const store = await makeStore(dir);
      const viewErr = await rejection(t, store.view(() => 'unreachable'));
      t.ok(isDsError(viewErr) && viewErr.code === 'DS_ERR_STATE_CORRUPT', `view: DS_ERR_STATE_CORRUPT (got ${String(viewErr)})`);
      let called = false;
      const updateErr = await rejection(t, store.update(() => void (called = true)));
      t.ok(isDsError(updateErr) && updateErr.code === 'DS_ERR_STATE_CORRUPT', `update: DS_ERR_STATE_CORRUPT (got ${String(updateErr)})`);
      t.notOk(called, 'fn is not called on a corrupt document');
      t.equal(await raw.read(dir), before, 'stored form untouched');
    });
  }
}

/**
 * Runs the state capability conformance suite as one subtest named `name`.
 * @param makeStore builds a store whose storage lives in `dir` (a fresh temp dir per case;
 * called twice with the same dir when a case needs a second store or process view).
 * @param raw enables the cases that plant raw stored documents (legacy rows, corruption);
 * they are skipped without it.
 */
export function runStateConformance(t: Test, name: string, makeStore: MakeStore, raw?: StateConformanceRaw): Promise<unknown> {
  return t.test(name, async (t) => {
    basics(t, makeStore);
    concurrency(t, makeStore);
    if (raw === undefined) t.test('raw-document cases (legacy rows, corruption)', { skip: 'no raw access given' }, () => {});
    else rawCases(t, makeStore, raw);
  });
}
