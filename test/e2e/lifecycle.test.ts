// The whole instance lifecycle on btrfs and on ZFS (zfs-fuse here), with real namespaces and
// dockerds: create → snapshot → change from outside → revert (v1 back, container running, the
// published port answering at the veth IP) → clone (diverges, runs beside its source) →
// refused bad input changes nothing → delete leaves nothing of either instance.
import type Docker from 'dockerode';
import t, { type Test } from 'tap';
import type { ProgressEvent } from '../../plugin-sdk/capabilities/workload.js';
import type { InstanceRecord } from '../../plugin-sdk/index.js';
import { netnsList, waitFor } from '../helpers/host.js';
import { BACKENDS, awaitValue, containerRunning, gateBackend, openWorld, publishedPort, readValue, run, settle, writeValue, type Backend, type World } from '../helpers/lifecycle-e2e.js';

/** network.base_offset per backend: outside the 10.120–10.239 range freeTestSubnet hands to other files. */
const BASES: Record<Backend, string> = { btrfs: '10.41.0.0', zfs: '10.51.0.0' };

/**
 * The `done` steps of an operation that are among `wanted`, in the order they happened
 * (progress messages and steps other plugins add are left out, so the order is what is checked).
 */
function doneSteps(events: readonly ProgressEvent[], wanted: readonly string[]): string[] {
  return events.filter((e) => e.status === 'done' && wanted.includes(e.step)).map((e) => e.step);
}

const SNAPSHOT_STEPS = ['stopping_dockerd', 'sync', 'zfs_snapshot', 'starting_dockerd', 'complete'];
const REVERT_STEPS = ['stopping_dockerd', 'sync', 'zfs_rollback', 'drop_caches', 'starting_dockerd', 'complete'];

/** What a refused operation must not change: the served value, status, both snapshot lists. */
async function fingerprint(w: World, name: string, ip: string, port: number | string) {
  const view = await w.kernel.instances.get(name);
  return { value: await readValue(ip, port), status: view.status, state: view.snapshots.map((s) => s.label), storage: w.storageSnapshots(name), dataset: w.storageHas(name) };
}

async function lifecycle(t: Test, backend: Backend): Promise<void> {
  if (!(await gateBackend(t, backend, t))) return;
  const w = await openWorld(t, { backend, baseOffset: BASES[backend], label: 'lc' });
  const src = w.name('src');
  const cln = w.name('cln');
  const timings: Record<string, number> = {};
  let s!: { rec: InstanceRecord; docker: Docker; ip: string };
  let c!: { rec: InstanceRecord; docker: Docker; ip: string; port: string };
  t.teardown(() => t.comment(`${backend} timings (ms): ${JSON.stringify(timings)}`));

  await t.test('create: own dataset, namespace and dockerd; the published port answers at the veth IP', async (t) => {
    const pool = await w.kernel.instances.prepare();
    t.equal(pool.backend, backend, `the ${backend} backend is in use`);
    const made = await w.createWithWeb(src, 'v1');
    timings['create'] = made.ms;
    s = made;
    t.match(s.rec, { name: src, status: 'running', snapshots: [] });
    t.ok(w.storageHas(src), 'its dataset exists on the host');
    t.ok(netnsList().includes(`ds-${src}`), 'its namespace exists');
    t.equal(await awaitValue(s.ip, 8080, 'v1'), 'v1', `GET http://${s.ip}:8080/f answers v1`);
  });

  await t.test('revert: v1 is back after v2 was really served, and the container runs again', async (t) => {
    const snap = await settle(w.kernel.instances.snapshot(src, 'one', { tags: { by: 'e2e' }, owner: 'e2e' }));
    t.error(snap.error, 'snapshot succeeds');
    timings['snapshot'] = snap.ms;
    t.same(doneSteps(snap.events, SNAPSHOT_STEPS), SNAPSHOT_STEPS, 'snapshot steps in order');
    t.same(w.storageSnapshots(src), ['one'], 'the snapshot exists in storage');
    t.match((await w.kernel.instances.get(src)).snapshots, [{ label: 'one', tags: { by: 'e2e' }, owner: 'e2e' }], 'and in state');
    t.equal(await awaitValue(s.ip, 8080, 'v1'), 'v1', 'the container runs again after the snapshot, still v1');
    await writeValue(s.docker, 'web', 'v2');
    t.equal(await awaitValue(s.ip, 8080, 'v2'), 'v2', 'v2 is served before the revert (else the revert check proves nothing)');
    const rev = await settle(w.kernel.instances.revert(src, 'one'));
    t.error(rev.error, 'revert succeeds');
    timings['revert'] = rev.ms;
    t.same(doneSteps(rev.events, REVERT_STEPS), REVERT_STEPS, 'revert steps in order');
    t.equal(await awaitValue(s.ip, 8080, 'v1'), 'v1', 'v1 is back, served at the veth IP');
    t.ok(await containerRunning(s.docker, 'web'), 'the container is running again');
    const view = await w.kernel.instances.get(src);
    t.equal(view.status, 'running');
    t.same(view.snapshots.map((x) => x.label), ['one'], 'the snapshot is kept');
    t.same(w.storageSnapshots(src), ['one']);
  });

  await t.test('clone: sees v1, runs beside its source, and the two diverge independently', async (t) => {
    const out = await settle(w.kernel.instances.clone(src, 'one', cln));
    t.error(out.error, 'clone succeeds');
    timings['clone'] = out.ms;
    t.match(out.result, { name: cln, clone_of: `${src}@one`, status: 'running' });
    const rec = out.result!;
    const docker = w.docker(rec);
    const port = await waitFor(() => publishedPort(docker, 'web'), 'the clone container to publish 8080', 20_000).catch(() => '');
    c = { rec, docker, ip: w.nsIp(rec), port };
    t.not(c.ip, s.ip, 'the clone has its own address');
    t.ok(port, `the clone's web publishes 8080 on a port Docker picked (${port})`);
    t.equal(await awaitValue(c.ip, port, 'v1'), 'v1', 'the clone serves the snapshot content');
    t.equal(await readValue(s.ip, 8080), 'v1', 'the source still answers at the same time');
    const statuses = Object.fromEntries((await w.kernel.instances.list()).map((i) => [i.name, i.status]));
    t.same(statuses, { [src]: 'running', [cln]: 'running' }, 'both running');
    await writeValue(docker, 'web', 'v3');
    t.equal(await awaitValue(c.ip, port, 'v3'), 'v3', 'the clone changed');
    t.equal(await readValue(s.ip, 8080), 'v1', 'the source did not');
    await writeValue(s.docker, 'web', 'v4');
    t.equal(await awaitValue(s.ip, 8080, 'v4'), 'v4', 'the source changed');
    t.equal(await readValue(c.ip, port), 'v3', 'the clone did not');
  });

  await t.test('bad input against the real stack is refused and changes nothing', async (t) => {
    const before = await fingerprint(w, src, s.ip, 8080);
    await t.rejects(w.kernel.instances.revert(src, 'nosuch').result, { code: 'DS_ERR_NOT_FOUND', message: `snapshot "nosuch" not found for instance "${src}"` });
    t.same(await fingerprint(w, src, s.ip, 8080), before, 'unknown snapshot: nothing changed');
    const cloneBefore = await fingerprint(w, cln, c.ip, c.port);
    await t.rejects(w.kernel.instances.clone(src, 'one', cln).result, { code: 'DS_ERR_EXISTS', message: `instance "${cln}" already exists` });
    t.same(await fingerprint(w, cln, c.ip, c.port), cloneBefore, 'clone onto an existing name: the existing instance is untouched');
    await t.rejects(w.kernel.instances.snapshot(src, 'one').result, { code: 'DS_ERR_EXISTS' }, 'a used label is refused');
    t.throws(() => w.kernel.instances.snapshot(src, 'bad label'), { code: 'DS_ERR_INVALID_INPUT' }, 'a bad label is refused synchronously');

    await run(w.kernel.instances.snapshot(src, 'two'));
    await writeValue(s.docker, 'web', 'v5');
    t.equal(await awaitValue(s.ip, 8080, 'v5'), 'v5');
    const mid = await fingerprint(w, src, s.ip, 8080);
    t.same([mid.state, mid.storage], [['one', 'two'], ['one', 'two']]);
    await t.rejects(w.kernel.instances.revert(src, 'one').result, { code: 'DS_ERR_CONFLICT', message: /would destroy the newer snapshots "two"/ });
    t.same(await fingerprint(w, src, s.ip, 8080), mid, 'revert past a newer snapshot without force: data and both snapshot lists identical');
    await run(w.kernel.instances.revert(src, 'one', { force: true }));
    t.equal(await awaitValue(s.ip, 8080, 'v1'), 'v1', 'with force the revert happens');
    t.same([(await w.kernel.instances.get(src)).snapshots.map((x) => x.label), w.storageSnapshots(src)], [['one'], ['one']], 'and the newer snapshot is gone from state and storage');
  });

  await t.test('delete leaves nothing: the clone, then the source', async (t) => {
    const d1 = await settle(w.kernel.instances.delete(cln));
    t.error(d1.error, 'delete of the clone succeeds');
    timings['delete'] = d1.ms;
    t.same(await w.leftovers(cln), [], 'nothing of the clone is left on the host or in state');
    t.equal(await readValue(s.ip, 8080), 'v1', 'the source still answers');
    const d2 = await settle(w.kernel.instances.delete(src));
    t.error(d2.error, 'delete of the source succeeds');
    t.same(await w.leftovers(src), [], 'nothing of the source is left on the host or in state');
    t.same(await w.kernel.instances.list(), [], 'no instance is left');
  });
}

for (const backend of BACKENDS) await t.test(backend, (t) => lifecycle(t, backend));
