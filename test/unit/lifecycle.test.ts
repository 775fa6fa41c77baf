import t from 'tap';
import { definePlugin } from '../../plugin-sdk/index.js';
import { FakeStorage } from '../../plugin-sdk/testing/index.js';
import { fakeWorld } from '../helpers/lifecycle-kernel.js';

t.test('create → snapshot → revert → clone → delete against fakes', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  const created = await api.create({ name: 'demo' }).result;
  t.match(created, { name: 'demo', subnet: '10.10.0.0/16', subnet_index: 0, metallb_ip: '10.10.10.10', status: 'running', snapshots: [] });
  t.notOk('operation' in created, 'no operation marker after commit');
  t.ok(w.dockerd.running.has('demo'));
  w.storage.writeFile('demo', 'data.txt', 'v1');
  await api.snapshot('demo', 'golden', { tags: { version: '1' } }).result;
  t.ok(w.dockerd.running.has('demo'), 'running again after the snapshot');
  w.storage.writeFile('demo', 'data.txt', 'v2');
  await api.snapshot('demo', 'later').result;
  await t.rejects(api.revert('demo', 'golden').result, { code: 'DS_ERR_CONFLICT', message: /newer snapshots "later"/ });
  t.equal(w.storage.readFile('demo', 'data.txt'), 'v2', 'a refused revert changes nothing');
  const op = api.revert('demo', 'golden', { force: true });
  const steps: string[] = [];
  for await (const e of op) steps.push(`${e.step}:${e.status}`);
  await op.result;
  t.equal(w.storage.readFile('demo', 'data.txt'), 'v1', 'the snapshot brought v1 back');
  t.same((await api.get('demo')).snapshots.map((s) => s.label), ['golden']);
  t.same(steps, ['stopping_dockerd:running', 'stopping_dockerd:done', 'sync:running', 'sync:done', 'zfs_rollback:running', 'zfs_rollback:done', 'drop_caches:running', 'drop_caches:done', 'starting_dockerd:running', 'starting_dockerd:done', 'complete:done']);
  const clone = await api.clone('demo', 'golden', 'demo-dev').result;
  t.match(clone, { name: 'demo-dev', subnet: '10.11.0.0/16', clone_of: 'demo@golden', status: 'running' });
  w.storage.writeFile('demo-dev', 'data.txt', 'clone');
  t.equal(w.storage.readFile('demo', 'data.txt'), 'v1', 'the clone diverges independently');
  t.same((await api.list()).map((i) => `${i.name}:${i.status}`).sort(), ['demo-dev:running', 'demo:running']);
  await t.rejects(api.delete('demo').result, { code: 'DS_ERR_CONFLICT', message: /destroying dataset: .*dependent clones/ });
  t.equal((await api.get('demo')).status, 'stopped', 'a refused delete keeps the row, stopped');
  await api.delete('demo-dev').result;
  await api.delete('demo').result;
  t.same(await api.list(), []);
  t.same([...w.netns.live], [], 'no namespace left');
  t.same([...w.storage.datasets.keys()], [], 'no dataset left');
});

t.test('hooks fire in lifecycle order with the right context during a revert', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  await api.create({ name: 'hk' }).result;
  await api.snapshot('hk', 's1').result;
  w.hooks.length = 0;
  await api.revert('hk', 's1').result;
  t.same(w.hooks, ['preRollback hk s1', 'preStop hk revert', 'postStop hk revert', 'netnsReady hk ds-hk', 'dockerdReady hk ds-hk', 'postRollback hk s1']);
});

t.test('one operation per instance; other instances in parallel', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  await api.create({ name: 'one' }).result;
  const first = api.snapshot('one', 'a');
  t.throws(() => api.stop('one'), { code: 'DS_ERR_BUSY', message: /instance "one" is busy: a snapshot/ });
  t.equal((await api.get('one')).status, 'busy');
  const other = api.create({ name: 'two' });
  await Promise.all([first.result, other.result]);
  t.equal((await api.get('one')).status, 'running');
});

t.test('bad input: clear error, nothing changed', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  await api.create({ name: 'base' }).result;
  await api.snapshot('base', 'golden').result;
  const before = JSON.stringify(await w.state.view((s) => s));
  t.throws(() => api.create({ name: 'Bad_Name' }), { code: 'DS_ERR_INVALID_NAME' });
  t.throws(() => api.snapshot('base', ''), { code: 'DS_ERR_INVALID_INPUT', message: 'label is required' });
  t.throws(() => api.snapshot('base', 'bad label'), { code: 'DS_ERR_INVALID_INPUT' });
  t.throws(() => api.clone('base', 'golden', '9x'), { code: 'DS_ERR_INVALID_NAME', details: { field: 'new_name' } });
  await t.rejects(api.create({ name: 'base' }).result, { code: 'DS_ERR_EXISTS', message: 'instance "base" already exists' });
  await t.rejects(api.snapshot('base', 'golden').result, { code: 'DS_ERR_EXISTS', message: 'snapshot "golden" already exists for instance "base"' });
  await t.rejects(api.revert('base', 'nope').result, { code: 'DS_ERR_NOT_FOUND', message: 'snapshot "nope" not found for instance "base"' });
  await t.rejects(api.revert('ghost', 'golden').result, { code: 'DS_ERR_NOT_FOUND', message: 'instance not found: "ghost"' });
  await t.rejects(api.clone('ghost', 'golden', 'x1').result, { code: 'DS_ERR_NOT_FOUND', message: 'source instance "ghost" not found' });
  await t.rejects(api.clone('base', 'golden', 'base').result, { code: 'DS_ERR_EXISTS' });
  await t.rejects(api.start('base').result, { code: 'DS_ERR_CONFLICT', message: 'instance "base" is already running' });
  await t.rejects(api.create({ name: 'wl', workload: { plugin: 'nosuch' } }).result, { code: 'DS_ERR_PLUGIN_NOT_FOUND', message: 'plugin "nosuch": plugin "nosuch" not found' });
  t.equal(JSON.stringify(await w.state.view((s) => s)), before, 'state unchanged by every refused request');
  t.same([...w.storage.datasets.keys()], ['base']);
});

t.test('subnet range exhausted and pool full: refused, nothing left behind', async (t) => {
  const w = await fakeWorld({ settings: { network: { base_offset: '255.255.0.0' } }, storage: new FakeStorage(1.5 * 1024 * 1024) });
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  await api.create({ name: 'last' }).result;
  await t.rejects(api.create({ name: 'overflow' }).result, { code: 'DS_ERR_SUBNET_EXHAUSTED', message: /subnet index 1 overflows past 255\.255/ });
  t.same((await api.list()).map((i) => i.name), ['last']);
  t.throws(() => w.storage.writeFile('last', 'big', 'x'.repeat(2 * 1024 * 1024)), { code: 'DS_ERR_POOL_FULL' });
  w.storage.writeFile('last', 'data', 'x'.repeat(1024 * 1024));
  await t.rejects(api.create({ name: 'more', workload: undefined }).result, { code: 'DS_ERR_SUBNET_EXHAUSTED' }, 'the subnet check comes first');
  await w.tk.kernel.instances.delete('last').result;
  w.storage.datasets.set('filler', { files: new Map([['f', 'x'.repeat(1024 * 1024)]]), snapshots: [] });
  await t.rejects(api.create({ name: 'nospace' }).result, { code: 'DS_ERR_POOL_FULL' });
  t.same(await api.list(), [], 'a create on a full pool leaves nothing behind');
});

t.test('faults during create roll everything back', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  w.dockerd.failStart.add('nodock');
  await t.rejects(api.create({ name: 'nodock' }).result, { code: 'DS_ERR_DOCKERD' });
  t.same(await api.list(), [], 'no half-created instance');
  t.same([...w.storage.datasets.keys()], [], 'dataset destroyed');
  t.same([...w.netns.live], [], 'namespace removed');
  const orig = w.storage.create.bind(w.storage);
  w.storage.create = async () => {
    throw new Error('disk on fire');
  };
  await t.rejects(api.create({ name: 'nostore' }).result, { message: 'disk on fire' });
  w.storage.create = orig;
  t.same(await api.list(), []);
  w.workload.failOn = 'deploy';
  w.workload.configOptions = [{ name: 'who', type: 'string' }];
  await t.rejects(api.create({ name: 'nowl', workload: { plugin: 'fakewl', config: { who: '{{ instance_name }}' } } }).result, { code: 'DS_ERR_PLUGIN_FAILED' });
  t.same(await api.list(), []);
  t.ok(w.workload.calls.some((c) => c.command === 'teardown'), 'workload torn down after a failed deploy');
  t.equal(w.workload.calls.find((c) => c.command === 'validate')?.input?.plugin_config?.['who'], 'nowl', '{{ instance_name }} templated');
  const reused = await api.create({ name: 'again' }).result;
  t.equal(reused.subnet_index, 0, 'rolled-back reservations free their subnet');
});

t.test('a preCreate veto stops the create before anything is reserved', async (t) => {
  const guard = definePlugin({ id: 'guard', version: '1', setup(ctx) { ctx.hooks.preCreate.tap((c) => (c.spec.name.startsWith('prod') ? { reason: 'no prod here' } : undefined)); } });
  const w = await fakeWorld({ plugins: [guard] });
  t.teardown(() => w.tk.close());
  await t.rejects(w.tk.kernel.instances.create({ name: 'prod-1' }).result, { code: 'DS_ERR_VETO', message: /no prod here/ });
  t.same(await w.tk.kernel.instances.list(), []);
});

t.test('reconcile: interrupted create is rolled back, dead running instance restarted, missing dataset marked', async (t) => {
  const w = await fakeWorld();
  t.teardown(() => w.tk.close());
  const api = w.tk.kernel.instances;
  await api.create({ name: 'alive' }).result;
  await api.create({ name: 'crashed' }).result;
  await api.create({ name: 'lost' }).result;
  await api.create({ name: 'halfway' }).result;
  // Simulate a daemon killed mid-way: dockerds gone, a create marker left, a dataset lost.
  w.dockerd.running.delete('crashed');
  w.dockerd.running.delete('lost');
  w.storage.datasets.delete('lost');
  await w.state.update((s) => void (s.instances['halfway']!.operation = { kind: 'create', id: 'x', started_at: '2026-01-01T00:00:00Z' }));
  const entries = await api.reconcile();
  const by = Object.fromEntries(entries.map((e) => [e.instance, e.outcome]));
  t.same(by, { alive: 'running', crashed: 'restarted', lost: 'error', halfway: 'removed' });
  t.ok(w.dockerd.running.has('crashed'));
  t.equal((await api.get('lost')).status, 'error');
  t.match((await api.get('lost')).error_reason, /dataset is missing/);
  t.notOk(w.storage.datasets.has('halfway'), 'whole or gone: the interrupted create is gone');
  t.match(w.hooks.at(-1), /^reconcile 4$/);
});
