import t from 'tap';
import { orderGraph } from '../../kernel/plugins/graph.js';
import { CapabilityRegistry } from '../../kernel/capabilities.js';
import { stateCapability, storageCapability, workloadCapability } from '../../plugin-sdk/index.js';
import { validateManifest } from '../../kernel/plugins/manifest.js';

t.test('graph: dependencies first, stable, cycles reported with the chain', async (t) => {
  const r = orderGraph([
    { id: 'api', deps: ['state'] },
    { id: 'state', deps: [] },
    { id: 'a', deps: ['b'] },
    { id: 'b', deps: ['c'] },
    { id: 'c', deps: ['a'] },
    { id: 'needs-a', deps: ['a'] },
  ]);
  t.same(r.order.slice(0, 2), ['state', 'api']);
  t.same([...r.errors.keys()].sort(), ['a', 'b', 'c']);
  t.match(r.errors.get('a')!.message, 'a → b → c → a');
  t.equal(r.errors.get('b')!.code, 'DS_ERR_PLUGIN_CYCLE');
  t.ok(r.order.includes('needs-a'), 'a dependent of a cycle is still ordered (its setup then fails on the missing dependency)');
  t.same(orderGraph([{ id: 'self', deps: ['self'] }]).errors.get('self')?.code, 'DS_ERR_PLUGIN_CYCLE');
});

t.test('capabilities: single resolves one, refuses none or several unless selected', async (t) => {
  const reg = new CapabilityRegistry({});
  t.throws(() => reg.get(storageCapability), { code: 'DS_ERR_CAPABILITY_MISSING' });
  reg.register(storageCapability, 'storage-btrfs', { kind: 'btrfs' });
  t.same(reg.get(storageCapability), { kind: 'btrfs' });
  reg.register(storageCapability, 'storage-zfs', { kind: 'zfs' });
  t.throws(() => reg.get(storageCapability), { code: 'DS_ERR_CAPABILITY_AMBIGUOUS', message: /capabilities\.storage/ });
  const chosen = new CapabilityRegistry({ storage: 'storage-zfs' });
  chosen.register(storageCapability, 'storage-btrfs', { kind: 'btrfs' });
  chosen.register(storageCapability, 'storage-zfs', { kind: 'zfs' });
  t.same(chosen.get(storageCapability), { kind: 'zfs' }, 'one line of config switches the backend');
  const wrong = new CapabilityRegistry({ storage: 'storage-nope' });
  wrong.register(storageCapability, 'storage-btrfs', {});
  t.throws(() => wrong.get(storageCapability), { code: 'DS_ERR_CAPABILITY_MISSING', message: /storage-nope/ });
  t.equal(reg.tryGet(stateCapability), undefined);
});

t.test('capabilities: multi is keyed; duplicate keys refused; removal by plugin', async (t) => {
  const reg = new CapabilityRegistry();
  reg.register(workloadCapability, 'workload-echo', 'echo-impl', 'echo');
  reg.register(workloadCapability, 'workload-kind', 'kind-impl', 'kind');
  t.same([...reg.getMulti(workloadCapability).keys()], ['echo', 'kind']);
  t.throws(() => reg.register(workloadCapability, 'other', 'x', 'echo'), { code: 'DS_ERR_PLUGIN_DUPLICATE' });
  t.throws(() => reg.register(workloadCapability, 'other', 'x'), TypeError);
  reg.removePlugin('workload-echo');
  t.same([...reg.getMulti(workloadCapability).keys()], ['kind']);
});

t.test('manifest validation names the file and field', async (t) => {
  t.match(validateManifest({ id: 'ok-one', version: '1' }, 'f.json'), { id: 'ok-one', main: 'index.js', commands: {} });
  const cases: Array<[unknown, RegExp]> = [
    [[], /must contain a JSON object/],
    [{ version: '1' }, /"id" must be a non-empty string \(it is missing\)/],
    [{ id: 'Bad', version: '1' }, /"id" "Bad" must match/],
    [{ id: 'ok-one' }, /"version" must be a non-empty string/],
    [{ id: 'ok-one', version: '1', main: '../escape.js' }, /"main" must be a relative path/],
    [{ id: 'ok-one', version: '1', apiVersion: 2 }, /"apiVersion" 2 is not supported/],
    [{ id: 'ok-one', version: '1', commands: { 'Bad Name': { summary: 's', file: 'f.js' } } }, /command name "Bad Name"/],
    [{ id: 'ok-one', version: '1', commands: { hi: { file: 'f.js' } } }, /"summary" must be a non-empty string/],
  ];
  for (const [raw, msg] of cases) t.throws(() => validateManifest(raw, '/x/plugin.json'), { code: 'DS_ERR_PLUGIN_MANIFEST', message: msg }, String(msg));
});

t.test('graph levels: a level never depends on itself', async (t) => {
  const { graphLevels } = await import('../../kernel/plugins/graph.js');
  const deps = new Map([['state', []], ['zfs', []], ['btrfs', []], ['api', ['state']], ['proxy', ['state', 'api']]]);
  t.same(graphLevels(['state', 'zfs', 'btrfs', 'api', 'proxy'], deps), [['state', 'zfs', 'btrfs'], ['api'], ['proxy']]);
});
