import t, { type Test } from 'tap';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- plain ESM helper without types
import { installExecFixtures } from '../../fixtures/exec-plugins/install.mjs';
import { createServer } from '../../bin/server/server.js';
import { silentLogger } from '../../kernel/logger.js';
import { workloadCatalogCapability, type PluginInfo, type WorkloadCatalog } from '../../plugin-sdk/capabilities/workload-catalog.js';
import { DsError, dockerdCapability, netnsCapability, stateCapability, storageCapability, workloadCapability } from '../../plugin-sdk/index.js';
import { FakeDockerd, FakeNetns, FakeStorage, FakeWorkload, MemoryStateStore, startTestKernel } from '../../plugin-sdk/testing/index.js';
import type { ProgressEvent } from '../../plugin-sdk/capabilities/workload.js';
import { cleanEnv, requireBuild, startDaemon, writeDaemonConfig } from '../helpers/daemon.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { forceClean, gateBackend, openWorld, run, settle, type World } from '../helpers/lifecycle-e2e.js';
import { pidAlive, processesWith, waitFor } from '../helpers/host.js';

/**
 * Workload binding through a REAL create (btrfs loop pool, netns, dockerd): the exec plugins
 * of `fixtures/exec-plugins`, installed after boot and found through the catalog's rescan.
 * Every refused or failed create must leave nothing: no state row, dataset, namespace,
 * dockerd, and no plugin process (the hanging one by the pids it wrote). Then the §12 health
 * poller through a real `dockersnap serve` (needs `npm run build`). Subnets: 10.80.x, 10.84.x.
 */

const BASE_OFFSET = '10.80.0.0';
const FIXTURES = ['bash-echo', 'hangs-in-deploy', 'exits-1-mid-deploy', 'prints-garbage', 'unsupported-contract', 'no-exec-bit', 'invalid-config'];

/** Installs the fixtures into the world's `plugins.dir` and rescans the catalog. */
async function installPlugins(w: World, side: string): Promise<void> {
  process.env['DSFIXTURE_DIR'] = side;
  await installExecFixtures(join(w.dir, 'plugins'), FIXTURES);
  const lease = w.kernel.acquire();
  try {
    await lease.capabilities.get(workloadCatalogCapability).rescan();
  } finally {
    lease.release();
  }
}

/** Nothing of `name` is left, and no plugin process runs from the plugin dir. */
async function assertGone(t: Test, w: World, name: string): Promise<void> {
  t.same(await w.leftovers(name), [], `${name}: no state row, dataset, netns, dockerd or file left`);
  const plugins = join(w.dir, 'plugins');
  const procs = await waitFor(() => (processesWith(plugins).length === 0 ? true : undefined), 'plugin processes to exit', 20_000).catch(() => processesWith(plugins));
  t.equal(procs, true, `no plugin process left${procs === true ? '' : `: ${JSON.stringify(procs)}`}`);
}

const steps = (events: ProgressEvent[]) => events.map((e) => `${e.step}/${e.status}`);

t.test('exec workloads through a real create: failures roll back completely', async (t) => {
  if (!(await gateBackend(t, 'btrfs'))) return;
  const saved = process.env['DSFIXTURE_DIR'];
  t.teardown(() => {
    if (saved === undefined) delete process.env['DSFIXTURE_DIR'];
    else process.env['DSFIXTURE_DIR'] = saved;
  });
  const w = await openWorld(t, { backend: 'btrfs', baseOffset: BASE_OFFSET, label: 'wlc', settings: { plugins: { timeouts: { deploy: '3s', health: '3s' } } } });
  const side = join(w.dir, 'side');
  mkdirSync(side);
  await installPlugins(w, side);
  const api = w.kernel.instances;

  await t.test('refused before anything is reserved', async (t) => {
    const name = w.name('refused');
    const cases: Array<[string, Record<string, unknown> | undefined, string, string]> = [
      ['no-exec-bit', undefined, 'DS_ERR_PLUGIN_NOT_FOUND', 'plugin "no-exec-bit": plugin "no-exec-bit" not found'],
      ['unsupported-contract', undefined, 'DS_ERR_PLUGIN_DISABLED', 'plugin "unsupported-contract": plugin "unsupported-contract" is disabled: plugin contract versions [2] are not supported by this daemon'],
      ['bash-echo', { nope: 1, port: 'x' }, 'DS_ERR_PLUGIN_CONFIG', 'invalid plugin_config for "bash-echo": [unknown config key "nope" config key "port": expected int, got string]'],
      ['invalid-config', undefined, 'DS_ERR_PLUGIN_CONFIG', 'plugin validate: [replicas must be at least 1 wait_timeout "2x" is not a valid Go duration]'],
    ];
    for (const [plugin, config, code, message] of cases) {
      const out = await settle(api.create({ name, workload: { plugin, ...(config ? { config } : {}) } }));
      t.match(out.error, { code, message }, `${plugin}: ${code}`);
      t.notOk(steps(out.events).includes('plugin_deploy/running'), `${plugin}: never deployed`);
      await assertGone(t, w, name);
    }
    const garbage = await settle(api.create({ name, workload: { plugin: 'prints-garbage' } }));
    t.match(garbage.error, { code: 'DS_ERR_PLUGIN_FAILED', message: /^plugin validate: parsing validate response: invalid character 'g'/ }, 'garbage on validate');
    t.match(garbage.events, [{ step: 'plugin_validate', status: 'running' }, { step: 'plugin_validate', status: 'error', message: /^plugin validate: / }], 'validate error event');
    const invalid = await settle(api.create({ name, workload: { plugin: 'invalid-config' } }));
    t.match(invalid.events.find((e) => e.step === 'plugin_validate' && e.status === 'error'), { message: 'replicas must be at least 1; wait_timeout "2x" is not a valid Go duration' }, 'the progress message joins the errors with "; "');
    await assertGone(t, w, name);
  });

  await t.test('a deploy that hangs is killed with its process group and rolled back', async (t) => {
    const name = w.name('hang');
    const out = await settle(api.create({ name, workload: { plugin: 'hangs-in-deploy' } }));
    t.match(out.error, { code: 'DS_ERR_PLUGIN_TIMEOUT', message: 'plugin deploy: plugin hangs-in-deploy deploy: signal: killed (stderr: ); timed out after 3s (plugins.timeouts.deploy)', details: { runner_error: /timed out after 3s/ } });
    t.match(out.events.filter((e) => e.step === 'waiting' || e.step === 'plugin_deploy'), [{ step: 'plugin_deploy', status: 'running' }, { step: 'waiting', status: 'running' }, { step: 'plugin_deploy', status: 'error' }]);
    const pids = readFileSync(join(side, 'hangs-in-deploy.deploy.pids'), 'utf8').trim().split(' ').map(Number);
    t.equal(pids.length, 2, 'the plugin and its helper wrote their pids');
    const dead = await waitFor(() => (pids.every((p) => !pidAlive(p)) ? true : undefined), 'the plugin group to die', 20_000).catch(() => false);
    t.ok(dead, `plugin ${pids[0]} and helper ${pids[1]} are gone`);
    await assertGone(t, w, name);
  });

  await t.test('a deploy that exits 1 half-way: its error for the API, teardown tried, rolled back', async (t) => {
    const name = w.name('exit1');
    const out = await settle(api.create({ name, workload: { plugin: 'exits-1-mid-deploy' } }));
    t.match(out.error, {
      code: 'DS_ERR_PLUGIN_FAILED',
      message: /^plugin deploy: plugin exits-1-mid-deploy deploy: exit status 1 \(stderr: .*\): deploy failed at step2: the disk is on fire$/s,
      details: { plugin: 'exits-1-mid-deploy', command: 'deploy', exit_code: 1, runner_error: /exit status 1/, rollbackProblems: [/^workload teardown: plugin teardown: .*cleanup failed/] },
    });
    t.match(out.events.filter((e) => e.step.startsWith('step') || e.step === 'plugin_deploy'), [
      { step: 'plugin_deploy', status: 'running' },
      { step: 'step1', status: 'running' },
      { step: 'step1', status: 'done' },
      { step: 'step2', status: 'running' },
      { step: 'step2', status: 'error', message: 'disk on fire' },
      { step: 'plugin_deploy', status: 'error' },
    ], 'the plugin progress is forwarded, then the plugin_deploy error event');
    await assertGone(t, w, name);
  });

  await t.test('a good plugin: resolved config stored, clone copies it; a failing teardown does not stop delete', async (t) => {
    const name = w.name('good');
    const rec = await run(api.create({ name, workload: { plugin: 'bash-echo', config: { state_dir: '', port: 1 } } }));
    t.same(rec.workload_config, { state_dir: '', port: 1, greeting: `hello from ${name}` }, 'defaults added, {{ instance_name }} templated, user values kept');
    t.equal(rec.workload_plugin, 'bash-echo');
    t.ok(existsSync(join(side, `bash-echo-${name}.state`)), 'the plugin deployed');
    await run(api.snapshot(name, 'golden'));
    const cloneName = w.name('goodc');
    const clone = await run(api.clone(name, 'golden', cloneName));
    t.same(clone.workload_config, rec.workload_config, 'copied verbatim (the source name stays)');
    await run(api.delete(cloneName));
    // The plugin now fails its teardown: delete goes on, with a plugin_teardown error event.
    const plugin = join(w.dir, 'plugins', 'bash-echo');
    unlinkSync(plugin);
    copyFileSync(join(w.dir, 'plugins', 'exits-1-mid-deploy'), plugin);
    const lease = w.kernel.acquire();
    try {
      await lease.capabilities.get(workloadCatalogCapability).rescan();
    } finally {
      lease.release();
    }
    const del = await settle(api.delete(name));
    t.error(del.error, 'delete succeeds');
    t.match(del.events.find((e) => e.step === 'plugin_teardown' && e.status === 'error'), { message: /^plugin teardown: plugin bash-echo teardown: exit status 1/ }, 'plugin_teardown error event');
    await assertGone(t, w, name);
    await assertGone(t, w, cloneName);
    rmSync(join(side, `bash-echo-${name}.state`), { force: true });
  });
});

/* ------------------------------------------------------------------ through a real `serve` */

t.test('serve: the health poller caches, thresholds and counts; reloaded plugins resolve', async (t) => {
  if (!(await gateBackend(t, 'btrfs'))) return;
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-e2e-wlh-`));
  const side = join(dir, 'side');
  mkdirSync(side);
  mkdirSync(join(dir, 'plugins'));
  await installExecFixtures(join(dir, 'plugins'), ['bash-echo']);
  const config = writeDaemonConfig(dir, { network: { base_offset: '10.84.0.0' }, plugins: { health_poll_interval: '1s', health_failure_threshold: 2 } });
  const name = `${RUN_PREFIX}hc`;
  const daemon = await startDaemon(config, cleanEnv({ DSFIXTURE_DIR: side }));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${daemon.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  t.teardown(async () => {
    await call('DELETE', `/api/v1/instances/${name}`).catch(() => undefined);
    await daemon.stop();
    await forceClean({ dir, names: [name] });
  });
  const health = async () => (await call('GET', '/api/v1/health')).body as { running_healthy: number; running_unhealthy: number };
  const workload = async (q = '') => (await call('GET', `/api/v1/instances/${name}/workload/health${q}`)).body;

  t.match((await call('GET', '/api/v1/plugins')).body.find((p: { name: string }) => p.name === 'bash-echo'), { status: 'ready', kind: 'exec' }, 'the exec plugin is listed');
  const created = await call('POST', '/api/v1/instances', { name, workload_inline: { plugin: 'bash-echo' } });
  t.equal(created.status, 201, `created${created.status === 201 ? '' : `: ${JSON.stringify(created.body)}`}`);
  t.match(created.body, { workload_plugin: 'bash-echo', workload_config: { greeting: `hello from ${name}`, port: 5678 } });

  t.ok(await waitFor(async () => (await health()).running_healthy === 1, 'a healthy cached entry', 60_000, 200).catch(() => false), 'the poller counts the instance as healthy');
  t.match(await workload(), { workload_plugin: 'bash-echo', healthy: true, consecutive_fails: 0, checked_at: /^\d{4}-\d\d-\d\dT/ }, 'answered from the cache');
  const fresh = await workload('?fresh=true');
  t.match(fresh, { workload_plugin: 'bash-echo', healthy: true }, 'fresh: a synchronous call');
  t.notOk('checked_at' in fresh, 'fresh answers are raw, not cache entries');

  unlinkSync(join(side, `bash-echo-${name}.state`));
  t.match(await workload('?fresh=true'), { healthy: false }, 'the plugin reports unhealthy at once');
  const failed = await waitFor(async () => {
    const w = await workload();
    return w.consecutive_fails >= 2 ? w : undefined;
  }, 'two failed polls', 60_000, 200).catch(() => undefined);
  t.match(failed, { healthy: false }, 'unhealthy once the failures reach the threshold');
  t.match(await health(), { running_healthy: 0, running_unhealthy: 1 });

  copyFileSync(join(dir, 'plugins', 'bash-echo'), join(dir, 'plugins', 'late-echo'));
  chmodSync(join(dir, 'plugins', 'late-echo'), 0o755);
  const reloaded = await call('POST', '/api/v1/plugins/reload');
  t.ok(reloaded.body.some((p: { name: string }) => p.name === 'late-echo'), 'the reload finds the new plugin');
  const late = await call('POST', '/api/v1/instances', { name: `${name}x`, workload_inline: { plugin: 'late-echo', config: { nope: 1 } } });
  t.match(late, { status: 400, body: { code: 'DS_ERR_PLUGIN_CONFIG', error: 'invalid plugin_config for "late-echo": [unknown config key "nope"]' } }, 'a plugin found by the reload resolves for create');

  t.equal((await call('DELETE', `/api/v1/instances/${name}`)).status, 204);
  t.ok(await waitFor(async () => {
    const h = await health();
    return h.running_healthy === 0 && h.running_unhealthy === 0;
  }, 'the entry to be dropped', 60_000, 200).catch(() => false), 'a deleted instance leaves the counts');
  t.equal(await daemon.stop(), 0, 'serve exits cleanly with the poller running');
});

/* ------------------------------------------------------------------ resolution order and listing (fakes) */

/** A catalog that knows one exec-like plugin, `late`, and one disabled one. */
class OneDriverCatalog implements WorkloadCatalog {
  readonly late = new FakeWorkload('late');
  /** An exec plugin named like an in-process one: the plugin directory must win. */
  readonly shadow = new FakeWorkload('shadow');
  list(): PluginInfo[] {
    return [
      { name: 'late', status: 'ready', kind: 'exec', state: 'ok' },
      { name: 'shadow', status: 'ready', kind: 'exec', state: 'ok' },
      { name: 'off', status: 'disabled', error: 'running init: exit status 1', kind: 'exec', state: 'error' },
    ];
  }
  get(name: string): PluginInfo | undefined {
    return this.list().find((p) => p.name === name);
  }
  async rescan(): Promise<PluginInfo[]> {
    return this.list();
  }
  driver(name: string): FakeWorkload {
    if (name === 'late') return this.late;
    if (name === 'shadow') return this.shadow;
    if (name === 'off') throw new DsError('DS_ERR_PLUGIN_DISABLED', 'plugin "off" is disabled: running init: exit status 1', { details: { plugin: name } });
    throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`, { details: { plugin: name } });
  }
}

/** An in-process workload whose schema cannot be read. */
class BrokenSchema extends FakeWorkload {
  override async schema(): Promise<never> {
    throw new Error('schema exploded');
  }
}

t.test('resolution: the plugin directory first, then in-process workloads; both listed by the API', async (t) => {
  const inProcess = new FakeWorkload('fakewl');
  inProcess.configOptions = [{ name: 'who', type: 'string', default: 'hi {{ instance_name }}' }];
  const catalog = new OneDriverCatalog();
  const builtinShadow = new FakeWorkload('shadow');
  const tk = await startTestKernel({
    fakes: [
      [stateCapability, new MemoryStateStore()],
      [storageCapability, new FakeStorage()],
      [netnsCapability, new FakeNetns()],
      [dockerdCapability, new FakeDockerd()],
      [workloadCapability, inProcess, 'fakewl'],
      [workloadCapability, new BrokenSchema('broken'), 'broken'],
      [workloadCapability, builtinShadow, 'shadow'],
      [workloadCatalogCapability, catalog],
    ],
  });
  const app = createServer({ kernel: tk.kernel, settings: tk.settings, log: silentLogger() });
  t.teardown(async () => {
    await app.close();
    await tk.close();
  });
  const api = tk.kernel.instances;
  const a = await run(api.create({ name: 'a', workload: { plugin: 'fakewl' } }));
  t.same(a.workload_config, { who: 'hi a' }, 'in-process schema defaults, templated');
  await run(api.create({ name: 'b', workload: { plugin: 'late' } }));
  t.ok(catalog.late.calls.some((c) => c.command === 'deploy'), 'a catalog-only plugin deploys through the catalog');
  t.ok(inProcess.calls.some((c) => c.command === 'deploy'), 'the in-process workload deployed');
  await run(api.create({ name: 'd', workload: { plugin: 'shadow' } }));
  t.ok(catalog.shadow.calls.some((c) => c.command === 'deploy'), 'an exec plugin wins over the in-process workload of the same name');
  t.same(builtinShadow.calls, [], 'the shadowed in-process workload is never called');
  await t.rejects(api.create({ name: 'c', workload: { plugin: 'off' } }).result, { code: 'DS_ERR_PLUGIN_DISABLED', message: 'plugin "off": plugin "off" is disabled: running init: exit status 1' });
  await t.rejects(api.create({ name: 'c', workload: { plugin: 'nosuch' } }).result, { code: 'DS_ERR_PLUGIN_NOT_FOUND', message: 'plugin "nosuch": plugin "nosuch" not found' });
  await t.rejects(api.create({ name: 'c', workload: { plugin: 'broken' } }).result, { code: 'DS_ERR_PLUGIN_FAILED', message: 'plugin "broken": schema exploded' });
  catalog.late.failOn = 'describe';
  const described = await app.inject({ url: '/api/v1/instances/b/workload' });
  t.equal(described.statusCode, 502);
  t.match(described.json(), { code: 'DS_ERR_PLUGIN_FAILED', error: 'plugin describe: plugin late describe: injected failure' });
  t.same((await api.list()).map((i) => i.name), ['a', 'b', 'd'], 'refused creates left nothing');

  const list = (await app.inject({ url: '/api/v1/plugins' })).json() as PluginInfo[];
  t.same(list.map((p) => p.name), [...list.map((p) => p.name)].sort(), 'sorted by name');
  t.match(list.find((p) => p.name === 'fakewl'), { status: 'ready', kind: 'workload', state: 'ok', version: '0.0.0', supported_contract_versions: ['1'], config_options: [{ name: 'who', type: 'string' }] }, 'in-process workloads are listed');
  t.match(list.find((p) => p.name === 'broken'), { status: 'disabled', kind: 'workload', error: 'running schema: schema exploded' });
  t.match(list.find((p) => p.name === 'late'), { status: 'ready', kind: 'exec' }, 'exec plugins next to them');
  t.match(list.find((p) => p.name === 'shadow' && p.kind === 'workload'), { status: 'disabled', error: 'shadowed by the exec plugin "shadow" in the plugin directory' }, 'a shadowed builtin says so');
  t.match(list.find((p) => p.name === 'shadow' && p.kind === 'exec'), { status: 'ready' });
  t.match((await app.inject({ url: '/api/v1/plugins/shadow' })).json(), { name: 'shadow', kind: 'exec' }, 'plugin describe shows the exec plugin that wins');
  t.match((await app.inject({ url: '/api/v1/plugins/fakewl' })).json(), { name: 'fakewl', kind: 'workload' }, 'plugin describe finds an in-process workload');
  t.match((await app.inject({ url: '/api/v1/plugins/broken' })).json(), { code: 'DS_ERR_PLUGIN_NOT_FOUND', error: 'plugin "broken" is disabled: running schema: schema exploded' });
});
