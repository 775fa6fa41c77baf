import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import statePlugin from '../../builtin-plugins/state-json/index.js';
import { JsonStateStore } from '../../builtin-plugins/state-json/json-state-store.js';
import type { DsError } from '../../kernel/errors.js';
import { stateCapability, type StateStore } from '../../plugin-sdk/capabilities/state.js';
import { runStateConformance, sampleInstance } from '../../plugin-sdk/testing/state-conformance.js';
import { ZERO_TIME } from '../../plugin-sdk/state-types.js';

const stateFile = (dir: string) => join(dir, 'state.json');

runStateConformance(t, 'state-json conformance', async (dir) => new JsonStateStore(stateFile(dir)), {
  write: (dir, doc) => writeFile(stateFile(dir), JSON.stringify(doc, null, 2)),
  read: (dir) => readFile(stateFile(dir), 'utf8').catch(() => undefined),
});

/** Runs `promise`, which must reject, and returns the error. */
async function rejection(t: Test, promise: Promise<unknown>): Promise<DsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err !== undefined, 'rejects');
  return err as DsError;
}

/** The spec's example (state-and-config §1.2), in the original's field order. */
const SPEC_EXAMPLE = {
  instances: {
    demo: {
      name: 'demo', dataset: 'dockersnap/instances/demo', subnet: '10.10.0.0/16', subnet_index: 0, metallb_ip: '10.10.10.10',
      socket: '/run/dockersnap/demo.sock', pid_file: '/run/dockersnap/demo.pid', created_at: '2026-04-30T10:00:00.412345678+02:00', status: 'running',
      snapshots: [
        { label: 'golden', created_at: '2026-04-30T11:02:03.5+02:00', tags: { version: '2.5.0' } },
        { label: 'later', created_at: '2026-04-30T12:00:00.1+02:00' },
      ],
      workload_plugin: 'kind', workload_config: { cluster_name: 'demo', retries: 3, wait_ready: true, wait_timeout: '120s' }, workload_contract_version: '1',
    },
    'demo-dev': {
      name: 'demo-dev', dataset: 'dockersnap/instances/demo-dev', subnet: '10.11.0.0/16', subnet_index: 1, metallb_ip: '10.11.10.10',
      socket: '/run/dockersnap/demo-dev.sock', pid_file: '/run/dockersnap/demo-dev.pid', created_at: '2026-04-30T14:00:00.9+02:00', status: 'stopped',
      clone_of: 'demo@golden', snapshots: [],
      workload_plugin: 'kind', workload_config: { cluster_name: 'demo', retries: 3, wait_ready: true, wait_timeout: '120s' }, workload_contract_version: '1',
    },
  },
  next_subnet_index: 2,
};

t.test('on-disk format', async (t) => {
  t.test("the spec's example round-trips byte for byte", async (t) => {
    const path = stateFile(t.testdir());
    const text = JSON.stringify(SPEC_EXAMPLE, null, 2);
    writeFileSync(path, text);
    await new JsonStateStore(path).update(() => {});
    t.equal(readFileSync(path, 'utf8'), text);
  });

  t.test('canonical field order, empty optionals omitted, 2 spaces, no trailing newline', async (t) => {
    const path = stateFile(t.testdir());
    await new JsonStateStore(path).update((s) => {
      // Built in scrambled order, with empty optionals, as careless code might.
      s.instances.ab = JSON.parse(
        '{"status":"stopped","snapshots":[{"tags":{},"created_at":"","label":"x","owner":""}],"workload_config":{},"clone_of":"","subnet":"10.10.0.0/16","name":"ab","dataset":"p/ab","subnet_index":3}',
      );
      s.next_subnet_index = 4;
    });
    const expected = [
      '{',
      '  "instances": {',
      '    "ab": {',
      '      "name": "ab",',
      '      "dataset": "p/ab",',
      '      "subnet": "10.10.0.0/16",',
      '      "subnet_index": 3,',
      '      "metallb_ip": "",',
      '      "socket": "",',
      '      "pid_file": "",',
      `      "created_at": "${ZERO_TIME}",`,
      '      "status": "stopped",',
      '      "snapshots": [',
      '        {',
      '          "label": "x",',
      `          "created_at": "${ZERO_TIME}"`,
      '        }',
      '      ]',
      '    }',
      '  },',
      '  "next_subnet_index": 4',
      '}',
    ].join('\n');
    t.equal(readFileSync(path, 'utf8'), expected);
  });

  t.test('atomic write: 0600, parent created, no temp left, previous version kept as .bak', async (t) => {
    const dir = t.testdir({ 'deep': {} });
    const path = join(dir, 'deep', 'er', 'state.json');
    const store = new JsonStateStore(path);
    await store.update((s) => void (s.instances.a = sampleInstance('a')));
    const first = readFileSync(path, 'utf8');
    t.equal(statSync(path).mode & 0o777, 0o600);
    t.notOk(existsSync(`${path}.bak`), 'no backup of nothing');
    writeFileSync(`${path}.tmp`, 'left by a crash', { mode: 0o644 });
    await store.update((s) => void (s.next_subnet_index = 7));
    t.equal(readFileSync(`${path}.bak`, 'utf8'), first, '.bak holds the previous version');
    t.equal(statSync(path).mode & 0o777, 0o600, 'a leftover temp file does not lend its mode');
    t.notOk(existsSync(`${path}.tmp`));
    t.notOk(existsSync(`${path}.lock`), 'lock released');
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 7);
  });

  t.test('.bak moves on with every write; a .bak.new left by a crash is replaced, never kept', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path);
    await store.update((s) => void (s.next_subnet_index = 1));
    const first = readFileSync(path, 'utf8');
    await store.update((s) => void (s.next_subnet_index = 2));
    t.equal(readFileSync(`${path}.bak`, 'utf8'), first);
    const second = readFileSync(path, 'utf8');
    writeFileSync(`${path}.bak.new`, 'left by a crash');
    await store.update((s) => void (s.next_subnet_index = 3));
    t.equal(readFileSync(`${path}.bak`, 'utf8'), second, '.bak holds the version just replaced');
    t.notOk(existsSync(`${path}.bak.new`));
    t.notOk(statSync(`${path}.bak`).ino === statSync(path).ino, '.bak is not the current file');
  });

  t.test('backup: false keeps no .bak', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path, { backup: false });
    await store.update((s) => void (s.next_subnet_index = 1));
    await store.update((s) => void (s.next_subnet_index = 2));
    t.notOk(existsSync(`${path}.bak`));
  });

  t.test('an edit made behind the store, even in place and of equal size, is seen', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path);
    await store.update((s) => void (s.instances.demo = sampleInstance('demo')));
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('"running"', '"stopped"').replace('"golden"', '"silver"'));
    t.strictSame(await store.update((s) => [s.instances.demo!.status, s.instances.demo!.snapshots[0]!.label]), ['stopped', 'silver']);
  });
});

t.test('corrupt files: named file and field, hint, never overwritten', async (t) => {
  const demo = () => ({ instances: { demo: sampleInstance('demo') as Record<string, unknown> } as Record<string, unknown>, next_subnet_index: 1 });
  const cases: [string, string, string][] = [
    ['{"instances": {', 'is not valid JSON: ', 'fix the file by hand'],
    ['', 'is not valid JSON: ', 'fix the file by hand'],
    ['[]', '(top level) must be an object (got a list)', 'fix (top level) by hand'],
    [JSON.stringify({ instances: { demo: null } }), 'instances.demo is null', 'fix instances.demo by hand'],
    [JSON.stringify({ ...demo(), instances: { demo: sampleInstance('other') } }), 'instances.demo.name is "other" but must equal its map key "demo"', 'fix instances.demo.name by hand'],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), subnet: '' } } }), 'instances.demo.subnet must be a non-empty string', 'fix instances.demo.subnet by hand'],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), dataset: '' } } }), 'instances.demo.dataset must be a non-empty string', 'fix instances.demo.dataset by hand'],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), subnet_index: '1' } } }), 'instances.demo.subnet_index must be a non-negative integer (got "1")', ''],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), status: 'paused' } } }), 'instances.demo.status must be one of running, stopped, error (got "paused")', ''],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), created_at: 'yesterday' } } }), 'instances.demo.created_at must be an RFC 3339 timestamp (got "yesterday")', ''],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), snapshots: ['a', 5] } } }), 'instances.demo.snapshots[1] must be an object or a string (got 5)', ''],
    [JSON.stringify({ instances: { demo: { ...sampleInstance('demo'), snapshots: [{ label: 'a', tags: { v: 2 } }] } } }), 'instances.demo.snapshots[0].tags.v must be a string (got 2)', ''],
    [JSON.stringify({ instances: {}, next_subnet_index: -1 }), 'next_subnet_index must be a non-negative integer (got -1)', ''],
    [JSON.stringify({ instances: { 'a b': { ...sampleInstance('a b'), dataset: 7 } } }), 'instances["a b"].dataset must be a string (got 7)', ''],
  ];
  for (const [text, problem, hint] of cases) {
    t.test(problem, async (t) => {
      const path = stateFile(t.testdir());
      writeFileSync(path, text);
      const store = new JsonStateStore(path);
      for (const call of [store.view(() => 0), store.update(() => 0)]) {
        const err = await rejection(t, call);
        t.equal(err.code, 'DS_ERR_STATE_CORRUPT');
        t.match(err.message, `state file ${path}: ${problem}`);
        if (hint !== '') t.match(err.message, `; ${hint}`);
        t.equal(err.details.file, path);
      }
      t.equal(readFileSync(path, 'utf8'), text, 'file untouched');
      t.notOk(existsSync(`${path}.tmp`) || existsSync(`${path}.bak`) || existsSync(`${path}.lock`), 'no temp, backup or lock left');
    });
  }

  t.test('the hint points at .bak when there is one, and .bak survives', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path);
    await store.update((s) => void (s.instances.demo = sampleInstance('demo')));
    await store.update((s) => void (s.next_subnet_index = 1));
    const bak = readFileSync(`${path}.bak`, 'utf8');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"subnet": "10.10.0.0/16"', '"subnet": ""'));
    const err = await rejection(t, store.update(() => {}));
    t.equal(err.message, `state file ${path}: instances.demo.subnet must be a non-empty string; fix instances.demo.subnet by hand, or restore the last good version from ${path}.bak`);
    t.equal(err.details.field, 'instances.demo.subnet');
    t.equal(readFileSync(`${path}.bak`, 'utf8'), bak);
  });
});

t.test('locking', async (t) => {
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

  t.test('a lock left by a dead process is broken', async (t) => {
    const path = stateFile(t.testdir());
    writeFileSync(`${path}.lock`, `${deadPid()} 12345\n`);
    await new JsonStateStore(path, { lockTimeoutMs: 2000 }).update((s) => void (s.next_subnet_index = 1));
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 1);
    t.notOk(existsSync(`${path}.lock`));
    t.notOk(existsSync(`${path}.lock.break`));
  });

  t.test('a live pid with another start time is a reused pid: stale', async (t) => {
    const path = stateFile(t.testdir());
    writeFileSync(`${path}.lock`, `${process.pid} 1\n`);
    await new JsonStateStore(path, { lockTimeoutMs: 2000 }).update((s) => void (s.next_subnet_index = 1));
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 1);
  });

  t.test('a lock held by a live process times out with DS_ERR_BUSY naming it', async (t) => {
    const path = stateFile(t.testdir());
    writeFileSync(path, JSON.stringify({ instances: {}, next_subnet_index: 3 }));
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    t.teardown(() => void holder.kill());
    writeFileSync(`${path}.lock`, `${holder.pid}\n`);
    const err = await rejection(t, new JsonStateStore(path, { lockTimeoutMs: 300 }).update((s) => void (s.next_subnet_index = 9)));
    t.equal(err.code, 'DS_ERR_BUSY');
    t.match(err.message, `state file ${path} is locked by pid ${holder.pid} (lock file ${path}.lock)`);
    t.equal(err.details.pid, holder.pid);
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 3, 'nothing written');
    t.ok(existsSync(`${path}.lock`), "someone else's lock is left alone");
  });

  t.test('an anonymous lock is trusted for a grace period, then broken', async (t) => {
    const path = stateFile(t.testdir());
    writeFileSync(`${path}.lock`, '');
    const err = await rejection(t, new JsonStateStore(path, { lockTimeoutMs: 200 }).update(() => {}));
    t.match(err.message, 'is locked by another process');
    const past = new Date(Date.now() - 10_000);
    utimesSync(`${path}.lock`, past, past);
    writeFileSync(`${path}.lock.break`, `${deadPid()} 1\n`);
    utimesSync(`${path}.lock.break`, past, past); // a breaker that died mid-break
    await new JsonStateStore(path, { lockTimeoutMs: 3000 }).update((s) => void (s.next_subnet_index = 1));
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 1);
  });

  t.test('host I/O failures name the state file', async (t) => {
    const dir = t.testdir({ afile: 'not a directory' });
    const path = join(dir, 'afile', 'state.json');
    const err = await rejection(t, new JsonStateStore(path).update(() => {}));
    t.equal(err.code, 'DS_ERR_INTERNAL');
    t.match(err.message, `locking state file ${path}: ENOTDIR`);
  });

  t.test('the lock is released when fn throws', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path);
    await rejection(t, store.update(() => Promise.reject(new Error('no'))));
    t.notOk(existsSync(`${path}.lock`));
    await store.update((s) => void (s.next_subnet_index = 1));
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 1);
  });

  t.test('an update stuck in this process makes the next one time out, naming this pid', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path, { lockTimeoutMs: 150 });
    let unblock!: () => void;
    const stuck = store.update(async (s) => {
      await new Promise<void>((r) => (unblock = r));
      s.next_subnet_index = 1;
    });
    const err = await rejection(t, store.update((s) => void (s.next_subnet_index = 2)));
    t.equal(err.code, 'DS_ERR_BUSY');
    t.match(err.message, `is locked by pid ${process.pid} (this process)`);
    unblock();
    await stuck;
    await store.update((s) => void (s.next_subnet_index += 10));
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 11, 'the queue moves on after a timeout');
  });

  t.test('a nested update fails fast instead of deadlocking', async (t) => {
    const path = stateFile(t.testdir());
    const store = new JsonStateStore(path);
    const inner = await store.update(async (s) => {
      const e = await store.update(() => {}).then(() => undefined, (x: DsError) => x);
      s.next_subnet_index = 5;
      return e;
    });
    t.equal(inner?.code, 'DS_ERR_INTERNAL');
    t.match(inner?.message ?? '', 'nested update');
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 5);
    await store.update(() => {}); // not flagged as nested once the outer update is over
  });

  t.test('three processes and this one, 50 increments each: no lost update', async (t) => {
    const path = stateFile(t.testdir());
    const helper = fileURLToPath(new URL('../fixtures-helpers/state-increment.ts', import.meta.url));
    const barrier = t.testdir({ barrier: {} }) + '/barrier';
    const children = [0, 1, 2].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', helper, path, '50', barrier], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<{ first: number; last: number }>((resolve, reject) => {
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`helper exited ${code}`))));
      });
    });
    // Release all three at once, however long each took to start under load.
    const readyBy = Date.now() + 120_000;
    while (readdirSync(barrier).filter((f) => f.startsWith('ready-')).length < 3) {
      if (Date.now() > readyBy) throw new Error('the helper processes did not start');
      await new Promise((r) => setTimeout(r, 10));
    }
    writeFileSync(`${barrier}/go`, '');
    const store = new JsonStateStore(path);
    for (let i = 0; i < 50; i++) await store.update((s) => void (s.next_subnet_index += 1));
    const spans = await Promise.all(children);
    t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 200);
    const overlapping = spans.some((a, i) => spans.some((b, j) => i !== j && a.first < b.last && b.first < a.last));
    t.ok(overlapping, `the children contended for the lock at the same time: ${JSON.stringify(spans)}`);
    t.notOk(existsSync(`${path}.lock`));
  });
});

t.test('plugin', async (t) => {
  const manifest = JSON.parse(readFileSync(new URL('../../builtin-plugins/state-json/plugin.json', import.meta.url), 'utf8'));
  t.equal(statePlugin.id, manifest.id);
  t.equal(statePlugin.version, manifest.version);
  t.equal(statePlugin.description, manifest.description);
  t.ok(statePlugin.provides?.includes(stateCapability));

  const setupWith = async (settings: Record<string, unknown>) => {
    const provided: [unknown, unknown][] = [];
    const ctx = { settings, provide: (ref: unknown, impl: unknown) => provided.push([ref, impl]), log: { debug() {}, info() {}, warn() {}, error() {} } };
    await statePlugin.setup(ctx as unknown as Parameters<typeof statePlugin.setup>[0]);
    t.equal(provided.length, 1);
    t.equal(provided[0]![0], stateCapability);
    return provided[0]![1] as StateStore;
  };
  const path = stateFile(t.testdir());
  const store = await setupWith({ state_file: path });
  t.equal(store.location, path);
  await store.update((s) => void (s.next_subnet_index = 4));
  t.equal(JSON.parse(readFileSync(path, 'utf8')).next_subnet_index, 4, 'the provided store writes settings.state_file');
  t.equal((await setupWith({ state_file: '' })).location, '/var/lib/dockersnap/state.json', 'default path; setup itself does no I/O');
});
