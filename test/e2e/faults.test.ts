// Faults against the real stack, on btrfs and on zfs-fuse: a dockerd that will not start, a
// storage operation failing mid-create (a dataset made behind the kernel's back, a full pool),
// and the managing process killed with SIGKILL mid-create and mid-snapshot, then a new kernel
// reconciling on the same dirs. Every case must end whole or gone, with nothing leaked.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import t, { type Test } from 'tap';
import type { ProgressEvent } from '../../plugin-sdk/capabilities/workload.js';
import { ROOT } from '../helpers/fixtures.js';
import { processesWith, succeeds, waitFor } from '../helpers/host.js';
import { awaitValue, containerRunning, gateBackend, openWorld, run, settle, writeValue, type Backend, type World } from '../helpers/lifecycle-e2e.js';
import { fillDir } from '../helpers/pools.js';

const DRIVER = fileURLToPath(new URL('../fixtures-helpers/lifecycle-driver.ts', import.meta.url));
const MiB = 1024 * 1024;

/** network.base_offset per backend: outside the 10.120–10.239 range freeTestSubnet hands to other files. */
const BASES: Record<Backend, string> = { btrfs: '10.71.0.0', zfs: '10.76.0.0' };

interface Killed {
  /** The event the child was killed at (undefined: it never got there). */
  at?: ProgressEvent;
  events: ProgressEvent[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Hands the world's dirs to a child kernel (the world's own kernel is closed first), lets it
 * run `input`, and SIGKILLs it as soon as it reports an event `when` accepts.
 */
async function killDuring(w: World, input: { op: 'create' | 'snapshot'; name: string; label?: string }, when: (e: ProgressEvent) => boolean): Promise<Killed> {
  await w.closeKernel();
  const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, JSON.stringify({ settings: w.settings, dir: w.dir, ...input })], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Killed = { events: [], signal: null, stderr: '' };
  child.stderr.on('data', (d: Buffer) => void (out.stderr = (out.stderr + d.toString()).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let e: ProgressEvent;
    try {
      e = JSON.parse(line) as ProgressEvent;
    } catch {
      return;
    }
    out.events.push(e);
    if (!out.at && when(e)) {
      out.at = e;
      child.kill('SIGKILL');
    }
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const deadline = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [, signal] = await exited;
  clearTimeout(deadline);
  out.signal = signal;
  return out;
}

const running = (step: string) => (e: ProgressEvent) => e.step === step && e.status === 'running';

/** The stored row as state.json has it (with the operation marker the API view hides). */
function storedRow(w: World, name: string): Record<string, unknown> | undefined {
  const doc = JSON.parse(readFileSync(w.settings['state_file'] as string, 'utf8')) as { instances: Record<string, Record<string, unknown>> };
  return doc.instances[name];
}

/** Where an instance's dataset is mounted, derived from the settings (not from the driver). */
function datasetPath(w: World, name: string): string {
  const zfs = w.settings['zfs'] as { mountpoint_root: string } | undefined;
  return w.backend === 'btrfs' ? join(w.pool, 'instances', name) : join(zfs!.mountpoint_root, 'instances', name);
}

/** Makes the instance's dataset by hand, behind the kernel's back, with a marker file in it. */
function makeForeignDataset(w: World, name: string): string {
  const made = w.backend === 'btrfs' ? succeeds('btrfs', ['subvolume', 'create', datasetPath(w, name)]) : succeeds('zfs', ['create', `${w.pool}/instances/${name}`]);
  if (!made) throw new Error(`could not make the foreign dataset of ${name}`);
  const marker = join(datasetPath(w, name), 'foreign.txt');
  writeFileSync(marker, 'not dockersnap\n');
  return marker;
}

/** What a failed "container runs" check needs to be understood: container state, running set, dockerd log tail. */
async function diagnose(w: World, name: string, docker: Docker): Promise<Record<string, unknown>> {
  const state = await docker.getContainer('web').inspect().then((i) => i.State, (err: Error) => err.message);
  const file = join(datasetPath(w, name), '.dockersnap-running.json');
  const log = join(w.settings['data_dir'] as string, 'logs', `${name}.log`);
  return {
    container: state,
    runningSet: existsSync(file) ? readFileSync(file, 'utf8') : '(none)',
    dockerdLog: existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-25).join('\n') : '(none)',
  };
}

function dockerdsOf(name: string): number {
  return processesWith(`/daemon-configs/${name}.json`).filter((p) => /(^|\/)dockerd /.test(p.cmdline)).length;
}

async function faults(t: Test, backend: Backend): Promise<void> {
  if (!(await gateBackend(t, backend, t))) return;
  const baseOffset = BASES[backend];

  const broken: Array<{ why: string; settings: Record<string, unknown>; message: RegExp }> = [
    { why: 'a daemon.json dns entry dockerd rejects', settings: { docker: { dns: ['not-an-ip'] } }, message: /not-an-ip/ },
    ...(backend === 'zfs' ? [{ why: 'an unknown graph driver', settings: { zfs: { docker_storage_driver: 'nosuch' } }, message: /nosuch/ }] : []),
  ];
  for (const c of broken) {
    await t.test(`dockerd will not start (${c.why}): create fails with DS_ERR_DOCKERD, nothing left`, async (t) => {
      const w = await openWorld(t, { backend, baseOffset, label: 'fd', settings: c.settings });
      const name = w.name('bad');
      const out = await settle(w.kernel.instances.create({ name }));
      t.equal(out.error?.code, 'DS_ERR_DOCKERD', 'the create fails with DS_ERR_DOCKERD');
      t.match(out.error?.message, /did not start/, 'the message says dockerd did not start');
      t.match(out.error?.message, c.message, "and quotes dockerd's own complaint");
      t.same(await w.leftovers(name), [], 'no row, dataset, namespace, veth, rule, mount, process or file is left');
    });
  }

  await t.test('pool full: create fails with a clear error, nothing left', async (t) => {
    const w = await openWorld(t, { backend, baseOffset, label: 'ff', poolSize: backend === 'btrfs' ? '256M' : '128M' });
    await w.kernel.instances.prepare();
    const root = backend === 'btrfs' ? w.pool : (w.settings['zfs'] as { mountpoint_root: string }).mountpoint_root;
    t.ok(await fillDir(root, 1024 * MiB), 'the pool is filled up to ENOSPC');
    const name = w.name('full');
    const out = await settle(w.kernel.instances.create({ name }));
    t.ok(out.error, 'the create fails');
    t.match(out.error?.code, /^DS_ERR_(POOL_FULL|DOCKERD)$/, `a storage-space or dockerd error: ${out.error?.code}`);
    t.match(out.error?.message, /no space left|out of space|No space left on device/i, `the message names the cause: ${out.error?.message.split('\n')[0]}`);
    t.same(await w.leftovers(name), [], 'nothing of the instance is left');
  });

  await t.test('kill -9 of the managing process and dataset collisions', async (t) => {
    const w = await openWorld(t, { backend, baseOffset, label: 'fk' });
    const name = w.name('keep');
    const made = await w.createWithWeb(name, 'v1');
    t.equal(await awaitValue(made.ip, 8080, 'v1'), 'v1', 'the instance serves v1');

    await t.test('a dataset made behind the kernel\'s back: create fails with DS_ERR_EXISTS and destroys nothing of it', async (t) => {
      const dup = w.name('dup');
      const marker = makeForeignDataset(w, dup);
      const out = await settle(w.kernel.instances.create({ name: dup }));
      t.equal(out.error?.code, 'DS_ERR_EXISTS', 'the create fails with DS_ERR_EXISTS');
      t.match(out.error?.message, /already exists/);
      t.ok(existsSync(marker), 'the foreign dataset and its data are still there');
      const foreign = [`${backend} dataset of ${dup}`, ...(backend === 'zfs' ? [`mount ${datasetPath(w, dup)}`] : [])].sort();
      t.same((await w.leftovers(dup)).sort(), foreign, 'nothing but the foreign dataset is there (no row, namespace, dockerd)');
      // zfs-fuse may call a just-written dataset busy for a moment (see ZfsDriver.unmountingOp): poll.
      const removed = () => (backend === 'btrfs' ? succeeds('btrfs', ['subvolume', 'delete', datasetPath(w, dup)]) : succeeds('zfs', ['destroy', `${w.pool}/instances/${dup}`]));
      t.ok(await waitFor(removed, 'the foreign dataset to be destroyed', 10_000, 200).catch(() => false), 'the foreign dataset is removed by hand');
    });

    await t.test('mid-create (dockerd starting): reconcile removes the half-made instance', async (t) => {
      const half = w.name('half');
      const k = await killDuring(w, { op: 'create', name: half }, running('starting_dockerd'));
      t.ok(k.at, `killed at ${k.at?.step}/${k.at?.status}${k.at ? '' : `; events: ${JSON.stringify(k.events)} ${k.stderr}`}`);
      t.equal(k.signal, 'SIGKILL');
      const kernel = await w.reboot();
      const entries = await kernel.instances.reconcile();
      t.match(entries.find((e) => e.instance === half), { outcome: 'removed' }, 'the interrupted create is rolled back');
      t.same(await w.leftovers(half), [], 'nothing of it is left');
      t.equal(await awaitValue(made.ip, 8080, 'v1'), 'v1', 'the other instance was not disturbed');
    });

    // Four points of a snapshot: containers being stopped through the API; containers stopped,
    // dockerd about to get SIGTERM; dockerd and namespace gone, storage snapshot about to run;
    // storage snapshot made, state not yet updated and dockerd not yet restarted.
    const points: Array<[string, string, (e: ProgressEvent) => boolean]> = [
      ['containers stopping', 'kcont', (e) => running('stopping_dockerd')(e) && /^waiting up to/.test(e.message ?? '')],
      ['dockerd stopping', 'kdockerd', (e) => running('stopping_dockerd')(e) && /^stopping dockerd \(pid/.test(e.message ?? '')],
      ['storage step starting', 'kstore', running('zfs_snapshot')],
      ['storage step done', 'kdone', (e) => e.step === 'zfs_snapshot' && e.status === 'done'],
    ];
    for (const [where, label, when] of points) {
      await t.test(`mid-snapshot (${where}): reconcile leaves the instance whole, the snapshot whole or absent`, async (t) => {
        const k = await killDuring(w, { op: 'snapshot', name, label }, when);
        t.ok(k.at, `killed at ${k.at?.step}/${k.at?.status}${k.at ? '' : `; events: ${JSON.stringify(k.events)} ${k.stderr}`}`);
        t.equal(k.signal, 'SIGKILL');
        const kernel = await w.reboot();
        const entries = await kernel.instances.reconcile();
        const entry = entries.find((e) => e.instance === name);
        t.match(entry, { outcome: /^(running|restarted)$/ }, `reconcile reports it running (${entry?.outcome})`);
        t.notOk(storedRow(w, name)?.['operation'], 'no operation marker is left in state');
        const view = await kernel.instances.get(name);
        t.equal(view.status, 'running', 'the instance is running');
        const inState = view.snapshots.some((s) => s.label === label);
        const inStorage = w.storageSnapshots(name).includes(label);
        t.equal(inState, inStorage, `the snapshot is in state and storage, or in neither (state: ${inState}, storage: ${inStorage})`);
        t.equal(await awaitValue(made.ip, 8080, 'v1'), 'v1', 'the data is intact and served at the veth IP');
        t.ok(await containerRunning(made.docker, 'web'), 'the container runs', await diagnose(w, name, made.docker));
        t.equal(dockerdsOf(name), 1, 'exactly one dockerd runs for it');
        if (inState) {
          await writeValue(made.docker, 'web', 'v9');
          t.equal(await awaitValue(made.ip, 8080, 'v9'), 'v9');
          await run(kernel.instances.revert(name, label));
          t.equal(await awaitValue(made.ip, 8080, 'v1'), 'v1', 'the adopted snapshot is whole: reverting to it brings v1 back');
        }
      });
    }

    await t.test('after all that, delete leaves nothing', async (t) => {
      await run(w.kernel.instances.delete(name));
      t.same(await w.leftovers(name), [], 'nothing of the instance is left');
      t.same(await w.kernel.instances.list(), []);
    });
  });
}

for (const backend of ['btrfs', 'zfs'] as const) await t.test(backend, (t) => faults(t, backend));
