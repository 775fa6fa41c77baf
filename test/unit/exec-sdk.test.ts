import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- plain ESM helper without types
import { bundleExecPlugin } from '../../fixtures/exec-plugins/bundle-ts-plugin.mjs';
import { ConfigReader, ExecPluginPanic, dockerEnv, dockerHostEnv, flattenAttrs, formatFileMode, minLogLevel, nsExecCommand, parseGoObject } from '../../plugin-sdk/exec-plugin/index.js';

/**
 * The SDK's §14 behaviour, observed from outside: a plugin bundled from the SDK sources is
 * run as a child process, one command at a time. `SDK_MODE` picks the handler set.
 */
const SOURCE = `
import { runExecPlugin, ExecPluginError, ValidationError } from 'dockersnap/plugin-sdk/exec-plugin';
const mode = process.env.SDK_MODE ?? 'none';
const boom = () => { throw new Error('boom'); };
const sets = {
  none: {},
  fail: {
    init: boom,
    validate(ctx) { ctx.warn('careful'); throw new Error('bad value'); },
    deploy({ progress }) { progress.running('step1', 'working'); progress.error('step1', 'it broke'); throw new Error('it broke'); },
    teardown: boom,
    access() { throw new ExecPluginError('no kubeconfig', { details: 'kind get kubeconfig: exit status 1' }); },
    describe: boom,
    health: boom,
  },
  ok: {
    init() {},
    validate(ctx) { ctx.warn('w1'); return { warnings: ['w2'] }; },
    deploy({ progress, log }) { log.info('deploying', { n: 1 }); progress.running('step1', 'working'); progress.done('step1'); progress.complete('my own complete'); },
    teardown() {},
    access: () => ({ contract_version: '9', env: { A: '\${HOST}' }, files: [{ name: 'f', content: 'c', mode: '0600' }] }),
    describe: () => null,
    health: () => ({ healthy: false, checks: [{ name: 'c1', ok: false, message: 'down' }] }),
  },
  multi: { validate() { throw new ValidationError(['e1', 'e2']); } },
  config: {
    describe: ({ config: c }) => ({ config: {
      s: c.string('s'), e: c.string('e'), n: c.int('n'), b: c.bool('b'), l: c.stringList('l'), p: c.path('p'), u: c.string('u'), z: c.int('z'),
      os: c.optionalString('s') ?? null, oe: c.optionalString('e') ?? null, ou: c.optionalString('u') ?? null, on: c.optionalInt('n') ?? null,
      hasU: c.has('u'), hasE: c.has('e'),
    } }),
  },
  panic: { describe: ({ config }) => ({ config: { x: config.string('undeclared') } }) },
  'panic-type': { describe: ({ config }) => ({ config: { x: config.int('s') } }) },
  log: {
    health({ log }) {
      log.debug('d'); log.info('i', { group: { key: 'v' }, plain: 2 }); log.warn('w'); log.error('e');
      log.with({ req: 7 }).info('bound');
      return { healthy: true };
    },
  },
};
runExecPlugin({
  metadata: {
    name: 'sdk-test', version: '1.2.3', description: 'SDK under test',
    supported_contract_versions: mode === 'v2' ? ['2', '1'] : undefined,
    config_options: [
      { name: 's', type: 'string', default: 'dflt-{{ instance_name }}', description: 'a string' },
      { name: 'e', type: 'string', default: 'fallback' },
      { name: 'n', type: 'int', default: 3 },
      { name: 'b', type: 'bool', default: false },
      { name: 'l', type: 'string-list' },
      { name: 'p', type: 'path', required: true },
      { name: 'u', type: 'string', default: null },
      { name: 'z', type: 'int', default: 0, required: false },
    ],
  },
  handlers: sets[mode] ?? {},
});
`;

const INPUT = JSON.stringify({
  contract_version: '1',
  command: 'x',
  instance_name: 'demo',
  instance: { name: 'demo', socket: '/run/dockersnap/demo.sock', subnet: '10.10.0.0/16', data_root: '/d', host_veth_ip: '10.10.0.1', ns_veth_ip: '10.10.0.2', netns_name: 'ds-demo', metallb_ip: '10.10.10.10', created_at: '2026-04-30T10:00:00Z' },
  plugin_config: { e: '', n: 2.9, l: ['a', 'b'], p: '/etc' },
});

let plugin = '';
t.before(async () => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'src.mjs'), SOURCE);
  plugin = await bundleExecPlugin(join(dir, 'src.mjs'), join(dir, 'sdk-test'));
});

/**
 * The test runner's env minus what slows every plugin start (its loader hooks in
 * NODE_OPTIONS; NODE_EXTRA_CA_CERTS, which node parses at start-up: 3× the start time here).
 */
function cleanEnv(): Record<string, string> {
  const drop = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'DOCKERSNAP_LOG_LEVEL']);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !drop.has(k)) env[k] = v;
  return env;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Spec = [args: string[], mode?: string, stdin?: string | undefined, env?: Record<string, string>];

/** Runs the plugin once; resolves with its exit code and output. */
function run(args: string[], mode = 'none', stdin: string | undefined = INPUT, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(plugin, args, { env: { ...cleanEnv(), ...env, SDK_MODE: mode }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/** Runs several invocations concurrently (each is a separate process), keyed by name. */
async function runAll<K extends string>(specs: Record<K, Spec>): Promise<Record<K, Run>> {
  const keys = Object.keys(specs) as K[];
  const results = await Promise.all(keys.map((k) => run(...(specs[k] as [string[], string?, string?, Record<string, string>?]))));
  return Object.fromEntries(keys.map((k, i) => [k, results[i]])) as Record<K, Run>;
}

const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const envelope = (error: string, details?: string) => pretty({ contract_version: '1', error, ...(details ? { details } : {}) });

t.test('dispatch errors: usage, unknown command, unreadable PluginInput', async (t) => {
  const r = await runAll({
    usage: [[]],
    unknown: [['frobnicate']],
    empty: [['validate'], 'none', ''],
    notJson: [['describe'], 'ok', 'not json'],
    array: [['health'], 'ok', '[1]'],
    garbage: [['access'], 'ok', 'garbage'],
  });
  t.same(r.usage, { code: 1, stdout: envelope('usage: sdk-test <command>'), stderr: 'usage: sdk-test <command>\n' });
  t.same(r.unknown, { code: 1, stdout: envelope('unknown command: frobnicate'), stderr: 'unknown command: frobnicate\n' });
  t.same(r.empty, { code: 1, stdout: envelope('reading PluginInput: unexpected end of JSON input'), stderr: 'reading PluginInput: unexpected end of JSON input\n' });
  t.match(JSON.parse(r.notJson.stdout), { error: /^reading PluginInput: \S/ }, 'other syntax errors keep the parser text');
  t.same(r.array, { code: 1, stdout: envelope('reading PluginInput: json: cannot unmarshal array into Go value of type PluginInput'), stderr: 'reading PluginInput: json: cannot unmarshal array into Go value of type PluginInput\n' });
  t.match(JSON.parse(r.garbage.stdout), { error: "reading PluginInput: invalid character 'g' looking for beginning of value" });
});

t.test('schema is built from the metadata', async (t) => {
  const { plain: r, v2 } = await runAll({ plain: [['schema'], 'none', undefined], v2: [['schema'], 'v2'] });
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.equal(
    r.stdout,
    pretty({
      contract_version: '1',
      supported_contract_versions: ['1'],
      plugin_name: 'sdk-test',
      plugin_version: '1.2.3',
      description: 'SDK under test',
      config_options: [
        { name: 's', type: 'string', default: 'dflt-{{ instance_name }}', description: 'a string' },
        { name: 'e', type: 'string', default: 'fallback' },
        { name: 'n', type: 'int', default: 3 },
        { name: 'b', type: 'bool', default: false },
        { name: 'l', type: 'string-list' },
        { name: 'p', type: 'path', required: true },
        { name: 'u', type: 'string' },
        { name: 'z', type: 'int', default: 0 },
      ],
    }),
    'pretty-printed; false/0 defaults kept, null omitted, required only when true',
  );
  t.same(JSON.parse(v2.stdout).supported_contract_versions, ['2', '1']);
});

t.test('init: no handler, failure, success', async (t) => {
  const r = await runAll({ none: [['init'], 'none', undefined], fail: [['init'], 'fail', undefined], ok: [['init'], 'ok', undefined] });
  t.same(r.none, { code: 0, stdout: '', stderr: '' });
  t.same(r.fail, { code: 1, stdout: envelope('init: boom'), stderr: 'init: boom\n' });
  t.same(r.ok, { code: 0, stdout: '', stderr: '' });
});

t.test('validate: default valid, errors with warnings and exit 1 (nothing on stderr), warnings on success', async (t) => {
  const r = await runAll({ none: [['validate']], fail: [['validate'], 'fail'], ok: [['validate'], 'ok'], multi: [['validate'], 'multi'] });
  t.same(r.none, { code: 0, stdout: pretty({ contract_version: '1', valid: true }), stderr: '' });
  t.same(r.fail, { code: 1, stdout: pretty({ contract_version: '1', valid: false, errors: ['bad value'], warnings: ['careful'] }), stderr: '' });
  t.same(r.ok, { code: 0, stdout: pretty({ contract_version: '1', valid: true, warnings: ['w1', 'w2'] }), stderr: '' });
  t.same(JSON.parse(r.multi.stdout), { contract_version: '1', valid: false, errors: ['e1', 'e2'] });
});

t.test('deploy/teardown: no-op complete, automatic complete after success (two with the handler’s own), exit 1 on failure', async (t) => {
  const r = await runAll({
    deploy: [['deploy']],
    teardown: [['teardown']],
    ok: [['deploy'], 'ok'],
    okTeardown: [['teardown'], 'ok'],
    bad: [['deploy'], 'fail'],
    badTeardown: [['teardown'], 'fail'],
  });
  t.same(r.deploy, { code: 0, stdout: '{"step":"complete","status":"done","message":"deploy: no-op"}\n', stderr: '' });
  t.same(r.teardown, { code: 0, stdout: '{"step":"complete","status":"done","message":"teardown: no-op"}\n', stderr: '' });
  t.equal(r.ok.code, 0);
  t.equal(
    r.ok.stdout,
    [
      '{"step":"step1","status":"running","message":"working"}',
      '{"step":"step1","status":"done"}',
      '{"step":"complete","status":"done","message":"my own complete"}',
      '{"step":"complete","status":"done","message":"deploy succeeded"}',
      '',
    ].join('\n'),
  );
  t.same(r.okTeardown.stdout, '{"step":"complete","status":"done","message":"teardown succeeded"}\n');
  t.equal(r.bad.code, 1);
  t.equal(r.bad.stdout, '{"step":"step1","status":"running","message":"working"}\n{"step":"step1","status":"error","message":"it broke"}\n', 'no complete event, no envelope inside the NDJSON stream');
  t.equal(r.bad.stderr, 'deploy: it broke\n');
  t.same(r.badTeardown, { code: 1, stdout: '', stderr: 'teardown: boom\n' });
});

t.test('access/describe: no handler is an error; failures are envelopes; contract_version forced; null ⇒ empty', async (t) => {
  const r = await runAll({
    access: [['access']],
    describe: [['describe']],
    accessFail: [['access'], 'fail'],
    describeFail: [['describe'], 'fail'],
    accessOk: [['access'], 'ok'],
    describeOk: [['describe'], 'ok'],
  });
  t.same(r.access, { code: 1, stdout: envelope('access: no handler registered'), stderr: 'access: no handler registered\n' });
  t.same(r.describe, { code: 1, stdout: envelope('describe: no handler registered'), stderr: 'describe: no handler registered\n' });
  t.same(r.accessFail, { code: 1, stdout: envelope('access: no kubeconfig', 'kind get kubeconfig: exit status 1'), stderr: 'access: no kubeconfig\n' });
  t.same(r.describeFail, { code: 1, stdout: envelope('describe: boom'), stderr: 'describe: boom\n' });
  t.same(r.accessOk, { code: 0, stdout: pretty({ contract_version: '1', env: { A: '${HOST}' }, files: [{ name: 'f', content: 'c', mode: '0600' }] }), stderr: '' });
  t.same(r.describeOk, { code: 0, stdout: pretty({ contract_version: '1' }), stderr: '' });
});

t.test('health: default healthy, handler failure ⇒ unhealthy body and exit 1, unhealthy verdict exits 0', async (t) => {
  const r = await runAll({ none: [['health']], fail: [['health'], 'fail'], ok: [['health'], 'ok'] });
  t.same(r.none, { code: 0, stdout: pretty({ contract_version: '1', healthy: true }), stderr: '' });
  t.same(r.fail, { code: 1, stdout: pretty({ contract_version: '1', healthy: false, checks: [{ name: 'plugin', ok: false, message: 'boom' }] }), stderr: '' });
  t.same(r.ok, { code: 0, stdout: pretty({ contract_version: '1', healthy: false, checks: [{ name: 'c1', ok: false, message: 'down' }] }), stderr: '' });
});

t.test('typed config getters: defaults, "" as unset, truncation, presence', async (t) => {
  const r = await run(['describe'], 'config');
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout).config, {
    s: 'dflt-{{ instance_name }}',
    e: 'fallback',
    n: 2,
    b: false,
    l: ['a', 'b'],
    p: '/etc',
    u: '',
    z: 0,
    os: 'dflt-{{ instance_name }}',
    oe: '',
    ou: null,
    on: 2,
    hasU: false,
    hasE: true,
  });
});

t.test('programming errors panic: stderr, exit 2, no envelope', async (t) => {
  const { panic: r, typed } = await runAll({ panic: [['describe'], 'panic'], typed: [['describe'], 'panic-type'] });
  t.equal(r.code, 2);
  t.equal(r.stdout, '');
  t.match(r.stderr, /^panic: config key "undeclared" is not declared in config_options\n/);
  t.equal(typed.code, 2);
  t.match(typed.stderr, /^panic: config key "s" is declared as string, not int\n/);
});

t.test('logger: §9 lines on stderr, minimum level from DOCKERSNAP_LOG_LEVEL', async (t) => {
  const log = (level: string): Spec => [['health'], 'log', INPUT, { DOCKERSNAP_LOG_LEVEL: level }];
  const r = await runAll({ all: log(''), info: log('info'), warn: log('WARN'), error: log('error'), deploy: [['deploy'], 'ok'] });
  const lines = (x: Run) =>
    x.stderr
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const all = lines(r.all);
  t.same(all.map((l) => l['level']), ['DEBUG', 'INFO', 'WARN', 'ERROR', 'INFO']);
  for (const l of all) {
    t.match(l, { plugin: 'sdk-test', instance: 'demo', command: 'health', msg: String });
    t.ok(!Number.isNaN(Date.parse(String(l['ts']))), 'ts is a timestamp');
    t.match(String(l['ts']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  }
  t.same(all[1]!['attrs'], { 'group.key': 'v', plain: 2 });
  t.same(all[4]!['attrs'], { req: 7 });
  t.notOk('attrs' in all[0]!, 'no attrs key without attributes');
  t.same(lines(r.info).map((l) => l['level']), ['INFO', 'WARN', 'ERROR', 'INFO']);
  t.same(lines(r.warn).map((l) => l['level']), ['WARN', 'ERROR']);
  t.same(lines(r.error).map((l) => l['level']), ['ERROR']);
  t.same(lines(r.deploy).map((l) => l['msg']), ['deploying'], 'logs go to stderr, never into the progress stream');
});

t.test('helpers and in-process pieces', async (t) => {
  t.equal(formatFileMode(0o600), '0600');
  t.equal(formatFileMode(0o100755), '0755');
  t.equal(formatFileMode(0o4750), '4750');
  t.same(nsExecCommand('ds-demo', 'kubectl', ['get', 'nodes']), { file: 'nsenter', args: ['--net=/run/netns/ds-demo', '--', 'kubectl', 'get', 'nodes'] });
  const input = { instance: { socket: '/run/x.sock' }, env: { HTTP_PROXY: 'http://p' } } as never;
  t.equal(dockerHostEnv(input), 'DOCKER_HOST=unix:///run/x.sock');
  t.same(dockerEnv(input, { PATH: '/bin', DOCKER_HOST: 'tcp://old', HTTP_PROXY: 'x' }), { PATH: '/bin', DOCKER_HOST: 'unix:///run/x.sock', HTTP_PROXY: 'http://p' });
  t.equal(minLogLevel('warning'), 'WARN');
  t.equal(minLogLevel('nonsense'), 'DEBUG');
  t.same(flattenAttrs({ a: { b: { c: 1 } }, d: [1], e: undefined, f: new Error('x') }), { 'a.b.c': 1, d: [1], f: 'x' });
  t.same(parseGoObject('null', 'T'), { ok: true, value: {} });
  t.same(parseGoObject('"s"', 'T'), { ok: false, error: 'json: cannot unmarshal string into Go value of type T' });
  const c = new ConfigReader([{ name: 'k', type: 'int', default: 'nope' }], {});
  t.throws(() => c.int('k'), ExecPluginPanic, 'a default of the wrong type is a programming error');
  t.throws(() => new ConfigReader([{ name: 'k', type: 'int' }], { k: 'x' }).int('k'), ExecPluginPanic);
});
