import t from 'tap';
import { goQuote, goTypeName, resolveWorkloadConfig, templateInstanceName } from '../../kernel/lifecycle/workload-config.js';
import type { WorkloadSchema } from '../../plugin-sdk/capabilities/workload.js';

const kind: WorkloadSchema = {
  plugin_name: 'kind',
  plugin_version: '1',
  supported_contract_versions: ['1'],
  config_options: [
    { name: 'cluster_name', type: 'string', default: '{{ instance_name }}' },
    { name: 'kind_config', type: 'path' },
    { name: 'wait_ready', type: 'bool', default: true },
    { name: 'wait_timeout', type: 'string', default: '120s' },
    { name: 'retries', type: 'int', default: 3 },
    { name: 'kubernetes_version', type: 'string' },
  ],
};

const none = { pathExists: () => false };

t.test('defaults are added for absent keys and templated', async (t) => {
  t.same(resolveWorkloadConfig(kind, {}, 'demo', none), { cluster_name: 'demo', wait_ready: true, wait_timeout: '120s', retries: 3 });
  t.same(resolveWorkloadConfig(kind, undefined, 'demo', none), { cluster_name: 'demo', wait_ready: true, wait_timeout: '120s', retries: 3 });
  t.same(resolveWorkloadConfig(kind, { retries: 5, cluster_name: 'x-{{ instance_name }}' }, 'demo', none), { retries: 5, cluster_name: 'x-demo', wait_ready: true, wait_timeout: '120s' });
});

t.test('false, 0 and "" defaults are kept; null and absent defaults are not', async (t) => {
  const schema: WorkloadSchema = {
    plugin_name: 'p',
    plugin_version: '',
    supported_contract_versions: ['1'],
    config_options: [
      { name: 'f', type: 'bool', default: false },
      { name: 'z', type: 'int', default: 0 },
      { name: 'e', type: 'string', default: '' },
      { name: 'n', type: 'string', default: null },
      { name: 'a', type: 'string' },
    ],
  };
  t.same(resolveWorkloadConfig(schema, {}, 'demo', none), { f: false, z: 0, e: '' });
});

t.test('a user-supplied key, even null, suppresses the default (and null then fails the type check)', async (t) => {
  t.throws(() => resolveWorkloadConfig(kind, { retries: null }, 'demo', none), {
    code: 'DS_ERR_PLUGIN_CONFIG',
    message: 'invalid plugin_config for "kind": [config key "retries": expected int, got <nil>]',
  });
});

t.test('templating: exact token only, recursive through arrays and objects, values only', async (t) => {
  t.same(templateInstanceName({ '{{ instance_name }}': ['a {{ instance_name }} b', { x: '{{ instance_name }}{{ instance_name }}' }], n: 1, b: true, z: null }, 'demo'), {
    '{{ instance_name }}': ['a demo b', { x: 'demodemo' }],
    n: 1,
    b: true,
    z: null,
  });
  t.equal(templateInstanceName('{{instance_name}} {{  instance_name  }} {{ other }}', 'demo'), '{{instance_name}} {{  instance_name  }} {{ other }}', 'other spellings are left untouched, no error');
});

t.test('the input objects are not modified', async (t) => {
  const user = { cluster_name: '{{ instance_name }}', nested: { a: ['{{ instance_name }}'] } };
  const schema: WorkloadSchema = { ...kind, config_options: [...kind.config_options!, { name: 'nested', type: 'string' }] };
  const before = JSON.stringify({ user, schema });
  t.throws(() => resolveWorkloadConfig(schema, user, 'demo', none));
  const opts = [{ name: 'l', type: 'string-list', default: ['{{ instance_name }}'] }];
  const out = resolveWorkloadConfig({ plugin_name: 'p', config_options: opts }, {}, 'demo', none);
  t.same(out, { l: ['demo'] });
  t.same(opts[0]!.default, ['{{ instance_name }}'], 'defaults are copied, not templated in place');
  t.equal(JSON.stringify({ user, schema }), before);
});

t.test('issue texts use Go type names and are all collected', async (t) => {
  const schema: WorkloadSchema = {
    plugin_name: 'p',
    plugin_version: '',
    supported_contract_versions: ['1'],
    config_options: [
      { name: 's', type: 'string' },
      { name: 'b', type: 'bool' },
      { name: 'i', type: 'int' },
      { name: 'l', type: 'string-list' },
      { name: 'l2', type: 'string-list' },
      { name: 'p', type: 'path' },
      { name: 'r', type: 'string', required: true },
      { name: 'u', type: 'float' },
    ],
  };
  const user = { zz: 1, aa: 2, s: 5, b: 'yes', i: '3', l: 'x', l2: ['a', 1, null, ['x'], { k: 1 }, true], p: 7, u: 1 };
  t.throws(() => resolveWorkloadConfig(schema, user, 'demo', none), {
    code: 'DS_ERR_PLUGIN_CONFIG',
    message:
      'invalid plugin_config for "p": [unknown config key "aa" unknown config key "zz" config key "s": expected string, got float64 config key "b": expected bool, got string ' +
      'config key "i": expected int, got string config key "l": expected list of strings, got string config key "l2": element 1 is not a string (float64) ' +
      'config key "l2": element 2 is not a string (<nil>) config key "l2": element 3 is not a string ([]interface {}) config key "l2": element 4 is not a string (map[string]interface {}) ' +
      'config key "l2": element 5 is not a string (bool) config key "p": expected string, got float64 missing required config key "r" config key "u": unknown declared type "float"]',
  });
  try {
    resolveWorkloadConfig(schema, user, 'demo', { ...none, plugin: 'my-file' });
  } catch (err) {
    t.match(err, { message: /^invalid plugin_config for "my-file": \[/, details: { plugin: 'my-file' } });
    t.equal((err as { details: { issues: string[] } }).details.issues.length, 14);
  }
});

t.test('int accepts any JSON number; types report map and array names', async (t) => {
  const schema = { plugin_name: 'p', config_options: [{ name: 'i', type: 'int' }, { name: 's', type: 'string' }] };
  t.same(resolveWorkloadConfig(schema, { i: 1.5 }, 'd', none), { i: 1.5 });
  t.throws(() => resolveWorkloadConfig(schema, { s: { a: 1 } }, 'd', none), { message: 'invalid plugin_config for "p": [config key "s": expected string, got map[string]interface {}]' });
  t.throws(() => resolveWorkloadConfig(schema, { s: [] }, 'd', none), { message: 'invalid plugin_config for "p": [config key "s": expected string, got []interface {}]' });
});

t.test('path: empty is fine unless required; otherwise it must exist (after templating)', async (t) => {
  const seen: string[] = [];
  const exists = (p: string) => {
    seen.push(p);
    return p === '/etc/demo.yaml';
  };
  const schema = { plugin_name: 'p', config_options: [{ name: 'opt', type: 'path' }, { name: 'req', type: 'path', required: true }] };
  t.throws(() => resolveWorkloadConfig(schema, { opt: '', req: '' }, 'demo', { pathExists: exists }), { message: 'invalid plugin_config for "p": [config key "req": empty path]' });
  t.same(resolveWorkloadConfig(schema, { opt: '/etc/{{ instance_name }}.yaml', req: '/etc/demo.yaml' }, 'demo', { pathExists: exists }), { opt: '/etc/demo.yaml', req: '/etc/demo.yaml' });
  t.throws(() => resolveWorkloadConfig(schema, { req: 'rel/kind.yaml' }, 'demo', { pathExists: exists }), { message: 'invalid plugin_config for "p": [config key "req": file rel/kind.yaml does not exist]' });
  t.same(seen, ['/etc/demo.yaml', '/etc/demo.yaml', 'rel/kind.yaml']);
  t.same(resolveWorkloadConfig(schema, { req: '/' }, 'demo'), { req: '/' }, 'the default pathExists checks the host');
});

t.test('missing required keys, no declared options, dotted names are literal', async (t) => {
  t.throws(() => resolveWorkloadConfig({ plugin_name: 'p', config_options: [{ name: 'proxy.http', type: 'string', required: true }] }, { proxy: { http: 'x' } }, 'd', none), {
    message: 'invalid plugin_config for "p": [unknown config key "proxy" missing required config key "proxy.http"]',
  });
  t.same(resolveWorkloadConfig({ plugin_name: 'p' }, {}, 'd', none), {});
  t.throws(() => resolveWorkloadConfig({ plugin_name: 'p' }, { x: 1 }, 'd', none), { message: 'invalid plugin_config for "p": [unknown config key "x"]' });
});

t.test('Go quoting and type names', async (t) => {
  t.equal(goQuote('a"b\\c\n\x01é'), '"a\\"b\\\\c\\n\\x01é"');
  t.same([null, undefined, 's', 1, true, [], {}].map(goTypeName), ['<nil>', '<nil>', 'string', 'float64', 'bool', '[]interface {}', 'map[string]interface {}']);
});
