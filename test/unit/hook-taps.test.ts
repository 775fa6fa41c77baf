import t from 'tap';
import { buildHooks, callHook, createTapRecorder, tapNames, type TapRecord } from '../../kernel/hook-taps.js';
import { STAGES } from '../../kernel/stages.js';
import type { StopContext } from '../../kernel/hooks.js';

function stopCtx(): StopContext {
  return { op: 'stop', opId: 'op1', instance: 'demo', record: undefined, signal: new AbortController().signal, progress() {}, reason: 'stop' };
}

function record(pluginId: string, fn: (taps: ReturnType<typeof createTapRecorder>) => void): TapRecord[] {
  const sink: TapRecord[] = [];
  fn(createTapRecorder(pluginId, sink));
  return sink;
}

t.test('taps run in stage order, then registration order', async (t) => {
  const seen: string[] = [];
  const records = [
    ...record('observer', (h) => h.preStop.tap({ stage: STAGES.OBSERVE }, () => void seen.push('observer'))),
    ...record('plain', (h) => h.preStop.tap(() => void seen.push('plain'))),
    ...record('storage', (h) => h.preStop.tap({ stage: STAGES.STORAGE }, async () => void seen.push('storage'))),
  ];
  const hooks = buildHooks(records, 1000);
  t.same(tapNames(hooks, 'preStop'), ['storage', 'plain', 'observer']);
  await callHook(hooks, 'preStop', stopCtx());
  t.same(seen, ['storage', 'plain', 'observer']);
});

t.test('abort hooks reject with the plugin and hook named; sync throws too', async (t) => {
  const records = record('thrower', (h) => h.preStop.tap(() => {
    throw new Error('nope');
  }));
  const hooks = buildHooks(records, 1000);
  await t.rejects(callHook(hooks, 'preStop', stopCtx()), {
    code: 'DS_ERR_PLUGIN_HOOK',
    message: 'plugin "thrower" failed in hook preStop: nope',
    details: { plugin: 'thrower', hook: 'preStop' },
  });
});

t.test('collect hooks run every tap and return the failures', async (t) => {
  const seen: string[] = [];
  const records = [
    ...record('first', (h) => h.postStop.tap(() => {
      throw new Error('observer broke');
    })),
    ...record('second', (h) => h.postStop.tap(() => void seen.push('second'))),
  ];
  const out = await callHook(buildHooks(records, 1000), 'postStop', stopCtx());
  t.same(seen, ['second'], 'the failing tap did not stop the others');
  t.equal(out.failures.length, 1);
  t.match(out.failures[0], { code: 'DS_ERR_PLUGIN_HOOK', details: { plugin: 'first', hook: 'postStop' } });
});

t.test('a hanging promise tap and a never-called tapAsync hit the deadline, attributed', async (t) => {
  const hooks = buildHooks([
    ...record('hangs', (h) => h.preStop.tap(() => new Promise(() => {}))),
    ...record('silent', (h) => h.postStop.tapAsync((_c, _cb) => {})),
  ], 150);
  const started = Date.now();
  await t.rejects(callHook(hooks, 'preStop', stopCtx()), { code: 'DS_ERR_PLUGIN_TIMEOUT', details: { plugin: 'hangs', hook: 'preStop', timeoutMs: 150 } });
  const out = await callHook(hooks, 'postStop', stopCtx());
  t.match(out.failures[0], { code: 'DS_ERR_PLUGIN_TIMEOUT', details: { plugin: 'silent' } });
  t.ok(Date.now() - started < 2000, 'the kernel did not hang');
});

t.test('tapAsync callbacks and bail results work', async (t) => {
  const hooks = buildHooks([
    ...record('cb', (h) => h.preStop.tapAsync((_c, cb) => setImmediate(() => cb()))),
    ...record('veto', (h) => h.preCreate.tap(() => ({ reason: 'quota exceeded' }))),
  ], 1000);
  await callHook(hooks, 'preStop', stopCtx());
  const ctx = { ...stopCtx(), op: 'create' as const, spec: { name: 'demo' } };
  const out = await callHook(hooks, 'preCreate', ctx);
  t.same(out.result, { reason: 'quota exceeded' });
});

t.test('registration rejects duplicate tap names and unknown before targets', async (t) => {
  const dup = record('twice', (h) => {
    h.preStop.tap(() => {});
    h.preStop.tap(() => {});
  });
  t.throws(() => buildHooks(dup, 1000), { code: 'DS_ERR_PLUGIN_DUPLICATE' });
  const named = record('twice', (h) => {
    h.preStop.tap({ name: 'a' }, () => {});
    h.preStop.tap({ name: 'b' }, () => {});
  });
  t.same(tapNames(buildHooks(named, 1000), 'preStop'), ['twice/a', 'twice/b']);
  const unknown = record('early', (h) => h.preStop.tap({ before: 'nosuch' }, () => {}));
  t.throws(() => buildHooks(unknown, 1000), { code: 'DS_ERR_PLUGIN_UNKNOWN_TARGET', message: /before "nosuch" on hook preStop/ });
  const ok = [...record('late', (h) => h.preStop.tap(() => {})), ...record('early', (h) => h.preStop.tap({ before: 'late' }, () => {}))];
  t.same(tapNames(buildHooks(ok, 1000), 'preStop'), ['early', 'late']);
});
