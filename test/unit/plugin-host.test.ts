import t from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestKernel } from '../../plugin-sdk/testing/index.js';
import { definePlugin, SkipPlugin, stateCapability, storageCapability } from '../../plugin-sdk/index.js';
import { callHook } from '../../kernel/hook-taps.js';
import type { StopContext } from '../../kernel/hooks.js';
import { MemoryStateStore, FakeStorage } from '../../plugin-sdk/testing/index.js';
import { expectation, fixtureNames, installFixtures } from '../helpers/fixtures.js';

function stopCtx(instance = 'demo'): StopContext {
  return { op: 'stop', opId: 'op', instance, record: undefined, signal: new AbortController().signal, progress() {}, reason: 'stop' };
}

t.test('the kernel boots with zero builtins and no plugins', async (t) => {
  const tk = await startTestKernel();
  t.teardown(() => tk.close());
  t.same(tk.kernel.plugins(), []);
  const lease = tk.kernel.acquire();
  t.throws(() => lease.capabilities.get(storageCapability), { code: 'DS_ERR_CAPABILITY_MISSING' });
  lease.release();
});

t.test('every fixture plugin ends with its expected outcome', async (t) => {
  const names = fixtureNames();
  const pluginDir = t.testdir();
  installFixtures(pluginDir, names);
  const config = Object.fromEntries(names.map((n) => [expectation(n).id ?? n, expectation(n).config]).filter(([, c]) => c));
  const tk = await startTestKernel({ pluginDir, settings: { plugins: { config, setup_timeout: '500ms' } } });
  t.teardown(() => tk.close());
  const byId = new Map(tk.kernel.plugins().map((p) => [p.id, p]));
  for (const name of names) {
    const want = expectation(name);
    const got = byId.get(want.id ?? name);
    t.ok(got, `${name} is listed`);
    t.equal(got?.status, want.status, `${name} status`);
    if (want.code) t.equal(got?.code, want.code, `${name} code`);
    if (want.reason) t.equal(got?.reason, want.reason, `${name} reason`);
    if (want.reasonIncludes) t.match(got?.reason ?? '', want.reasonIncludes, `${name} reason`);
  }
  const lease = tk.kernel.acquire();
  await t.rejects(callHook(lease.hooks, 'preStop', stopCtx()), { code: 'DS_ERR_PLUGIN_TIMEOUT', details: { plugin: 'hang-hook', hook: 'preStop' } });
  const post = await callHook(lease.hooks, 'postStop', stopCtx());
  t.match(post.failures, [{ code: 'DS_ERR_PLUGIN_TIMEOUT', details: { plugin: 'hang-hook', hook: 'postStop' } }]);
  await t.rejects(callHook(lease.hooks, 'preSnapshot', { ...stopCtx(), label: 'x' }), { code: 'DS_ERR_PLUGIN_HOOK', message: /plugin "hang-hook" failed in hook preSnapshot: synchronous failure/ });
  lease.release();
});

t.test('dependency order, capabilities handed typed, LIFO close', async (t) => {
  const order: string[] = [];
  const store = new MemoryStateStore();
  const consumer = definePlugin({
    id: 'consumer',
    version: '1',
    requires: { state: stateCapability },
    setup(ctx) {
      order.push('setup consumer');
      t.equal(ctx.capabilities.state, store, 'resolved capability is the provider\'s object');
      ctx.onClose(() => void order.push('close consumer'));
    },
  });
  const provider = definePlugin({
    id: 'provider',
    version: '1',
    provides: [stateCapability],
    setup(ctx) {
      order.push('setup provider');
      ctx.provide(stateCapability, store);
      ctx.onClose(() => void order.push('close provider'));
    },
  });
  const tk = await startTestKernel({ plugins: [consumer, provider] });
  await tk.close();
  t.same(order, ['setup provider', 'setup consumer', 'close consumer', 'close provider']);
});

t.test('missing capability, skip, disabled and required', async (t) => {
  const needy = definePlugin({ id: 'needy', version: '1', requires: { storage: storageCapability }, setup() {} });
  const skipper = definePlugin({ id: 'skipper', version: '1', setup() { throw new SkipPlugin('no zfs here'); } });
  const off = definePlugin({ id: 'off', version: '1', setup() { throw new Error('must not run'); } });
  const tk = await startTestKernel({ plugins: [needy, skipper, off], settings: { plugins: { disabled: ['off'] } } });
  t.teardown(() => tk.close());
  const s = new Map(tk.kernel.plugins().map((p) => [p.id, p]));
  t.match(s.get('needy'), { status: 'error', code: 'DS_ERR_CAPABILITY_MISSING', reason: /requires capability "storage"/ });
  t.match(s.get('skipper'), { status: 'skip', reason: 'no zfs here' });
  t.match(s.get('off'), { status: 'skip', reason: 'disabled by config plugins.disabled' });
  await t.rejects(startTestKernel({ plugins: [needy], settings: { plugins: { required: ['needy'] } } }), { code: 'DS_ERR_PLUGIN_REQUIRED', message: /"needy" is error/ });
});

t.test('capability selection by config picks one of two storage providers', async (t) => {
  const mk = (id: string, kind: string) => definePlugin({ id, version: '1', provides: [storageCapability], setup(ctx) { ctx.provide(storageCapability, Object.assign(new FakeStorage(), { kind }) as never); } });
  const tk = await startTestKernel({ plugins: [mk('storage-a', 'a'), mk('storage-b', 'b')], settings: { capabilities: { storage: 'storage-b' } } });
  t.teardown(() => tk.close());
  const lease = tk.kernel.acquire();
  t.equal(lease.capabilities.get(storageCapability).kind, 'b');
  lease.release();
});

t.test('reload: add, change a multi-file plugin, remove, break — in the running kernel', async (t) => {
  const pluginDir = t.testdir();
  const k = await startTestKernel({ pluginDir });
  t.teardown(() => k.close());
  installFixtures(pluginDir, ['good']);
  let report = await k.kernel.reload();
  t.same(report.added, ['good']);
  installFixtures(pluginDir, ['command']);
  report = await k.kernel.reload();
  t.same(report.added, ['command']);
  t.same(report.unchanged, ['good'], 'an unchanged plugin is not set up again');
  const gen1 = k.kernel.host.generation;
  const def1 = gen1.plugins.get('command')!.def!;

  // In-flight operation holds the old generation across the reload.
  const inflight = k.kernel.acquire();
  writeFileSync(join(pluginDir, 'command', 'lib', 'greeting.js'), "export const GREETING = 'howdy';\nexport const GENERATION = 'v2';\n");
  report = await k.kernel.reload();
  t.same(report.changed, ['command']);
  const def2 = k.kernel.host.generation.plugins.get('command')!.def!;
  t.not(def1, def2, 'a fresh module instance');
  t.equal(inflight.generation, gen1, 'the in-flight operation still sees its generation');
  t.equal(gen1.plugins.get('command')!.state, 'ok', 'old plugin not closed while leased');
  inflight.release();

  rmSync(join(pluginDir, 'command'), { recursive: true });
  report = await k.kernel.reload();
  t.same(report.removed, ['command']);
  const lease = k.kernel.acquire();
  t.same(lease.hooks.preStop.taps.map((x) => x.name), [], 'taps of the removed plugin are gone');
  lease.release();

  installFixtures(pluginDir, ['broken']);
  report = await k.kernel.reload();
  const s = new Map(report.plugins.map((p) => [p.id, p.status]));
  t.equal(s.get('broken'), 'error');
  t.equal(s.get('good'), 'ok', 'everything else keeps working');
});

t.test('reload that breaks a required plugin is refused and keeps the old set', async (t) => {
  const pluginDir = t.testdir();
  installFixtures(pluginDir, ['good']);
  const k = await startTestKernel({ pluginDir, settings: { plugins: { required: ['good'] } } });
  t.teardown(() => k.close());
  writeFileSync(join(pluginDir, 'good', 'index.js'), "export default { id: 'good', version: '1.0.0', setup() { throw new Error('now broken'); } };\n");
  await t.rejects(k.kernel.reload(), { code: 'DS_ERR_PLUGIN_REQUIRED', message: /now broken/ });
  t.equal(k.kernel.plugins().find((p) => p.id === 'good')?.status, 'ok');
});

t.test('a plugin whose only provider skipped skips too, naming why', async (t) => {
  const provider = definePlugin({ id: 'zprovider', version: '1', provides: [storageCapability], setup() { throw new SkipPlugin('no zfs module'); } });
  const consumer = definePlugin({ id: 'zconsumer', version: '1', requires: { storage: storageCapability }, setup() {} });
  const tk = await startTestKernel({ plugins: [provider, consumer] });
  t.teardown(() => tk.close());
  t.match(tk.kernel.plugins().find((p) => p.id === 'zconsumer'), { status: 'skip', reason: 'requires capability "storage", whose provider skipped: zprovider (no zfs module)' });
});

t.test('independent plugins set up concurrently but tap in a fixed order', async (t) => {
  // Each set-up waits until the other one has started: run one after the other, they would
  // wait forever (the set-up deadline would fail them), whichever the host starts first.
  const order: string[] = [];
  const started = (id: string) => {
    let mark!: () => void;
    const p = new Promise<void>((r) => (mark = r));
    return { p, mark: () => (order.push(`${id} start`), mark()) };
  };
  const slowStarted = started('slow');
  const fastStarted = started('fast');
  let fastEnded!: () => void;
  const fastEnd = new Promise<void>((r) => (fastEnded = r));
  const slow = definePlugin({ id: 'aa-slow', version: '1', async setup(ctx) { slowStarted.mark(); await fastStarted.p; await fastEnd; ctx.hooks.preStop.tap(() => {}); order.push('slow end'); } });
  const fast = definePlugin({ id: 'bb-fast', version: '1', async setup(ctx) { fastStarted.mark(); await slowStarted.p; ctx.hooks.preStop.tap(() => {}); order.push('fast end'); fastEnded(); } });
  const tk = await startTestKernel({ plugins: [fast, slow] });
  t.teardown(() => tk.close());
  t.same(tk.kernel.plugins().filter((p) => p.id === 'aa-slow' || p.id === 'bb-fast').map((p) => p.status), ['ok', 'ok'], 'both set up: each ran while the other waited');
  t.same(order.slice(2), ['fast end', 'slow end'], 'the fast one finished first');
  const lease = tk.kernel.acquire();
  t.same(lease.hooks.preStop.taps.map((x) => x.name), ['aa-slow', 'bb-fast'], 'taps registered in set-up order, not finish order');
  lease.release();
});
