import t, { type Test } from 'tap';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { defaultConfig, isGoDuration, loadConfig, parseGoDuration, type LoadConfigOptions } from '../../kernel/config/load.js';
import { configSchema } from '../../kernel/config/schema.js';
import { CORE_AJV_OPTIONS, generateCoreValidatorSource } from '../../kernel/config/generate-validator.js';
import { DsError, isDsError } from '../../kernel/errors.js';

/** The defaults of state-and-config §2.2 plus ours, written out by hand on purpose. */
const EXPECTED_DEFAULTS = {
  api: { listen: '127.0.0.1:9847', token: '', proxy_bind: '127.0.0.1', body_limit: 1048576 },
  network: { range: '10.0.0.0/8', subnet_size: 16, base_offset: '10.10.0.0', metallb_host_offset: '10.10', host_interface: '' },
  docker: { dns: [], log_max_size: '50m', log_max_file: 3, proxy: { http: '', https: '', no_proxy: '' } },
  plugins: {
    dir: '/usr/local/lib/dockersnap/plugins',
    health_poll_interval: '30s',
    health_failure_threshold: 3,
    timeouts: { init: '10s', schema: '5s', validate: '30s', deploy: '600s', teardown: '120s', access: '10s', describe: '10s', health: '10s' },
    disabled: [],
    required: [],
    config: {},
    cache_dir: '/var/lib/dockersnap/plugin-cache',
    hook_timeout: '60s',
    setup_timeout: '30s',
  },
  capabilities: { storage: 'storage-btrfs' },
  state_file: '/var/lib/dockersnap/state.json',
  run_dir: '/run/dockersnap',
  data_dir: '/var/lib/dockersnap',
  log_level: '',
};

/** Writes `yaml` to a fresh config file and loads it with an empty environment. */
async function loadYaml(t: Test, yaml: string, options: LoadConfigOptions = {}) {
  const dir = t.testdir({ 'config.yaml': yaml });
  const path = join(dir, 'config.yaml');
  return { path, config: await loadConfig({ path, env: {}, ...options }) };
}

/** Loads `yaml` and returns the DsError it must fail with. */
async function loadError(t: Test, yaml: string, options: LoadConfigOptions = {}): Promise<{ path: string; err: DsError }> {
  const dir = t.testdir({ 'config.yaml': yaml });
  const path = join(dir, 'config.yaml');
  const err = await loadConfig({ path, env: {}, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isDsError(err), 'rejects with a DsError');
  t.equal((err as DsError).code, 'DS_ERR_CONFIG');
  return { path, err: err as DsError };
}

t.test('defaults', async (t) => {
  t.test('schema is valid draft-07', async (t) => {
    const ajv = new Ajv();
    t.equal(ajv.validateSchema(configSchema), true, JSON.stringify(ajv.errors));
    t.doesNotThrow(() => new Ajv({ ...CORE_AJV_OPTIONS, strict: true }).compile(configSchema), 'compiles in strict mode');
  });

  t.test('the precompiled validator is up to date with the schema', async (t) => {
    const checkedIn = readFileSync(new URL('../../kernel/config/core-validator.generated.ts', import.meta.url), 'utf8');
    t.ok(checkedIn === generateCoreValidatorSource(), 'stale: run `node --import tsx scripts/gen-config-validator.mjs`');
  });

  t.test('defaultConfig() matches the spec and is fresh on each call', async (t) => {
    const a = defaultConfig();
    t.strictSame(a, EXPECTED_DEFAULTS);
    a.docker.dns.push('1.1.1.1');
    a.api.listen = 'x';
    t.strictSame(defaultConfig(), EXPECTED_DEFAULTS);
  });

  t.test('a missing implicit file gives the defaults (log level normalised)', async (t) => {
    const dir = t.testdir({});
    const config = await loadConfig({ env: {}, defaultPath: join(dir, 'nope.yaml') });
    t.strictSame(config, { ...EXPECTED_DEFAULTS, log_level: 'info' });
  });

  t.test('an empty or comment-only file gives the defaults', async (t) => {
    for (const yaml of ['', '# nothing here\n', '---\n']) {
      const { config } = await loadYaml(t, yaml);
      t.strictSame(config, { ...EXPECTED_DEFAULTS, log_level: 'info' }, JSON.stringify(yaml));
    }
  });
});

t.test('overlay', async (t) => {
  t.test('field by field inside sections; lists replace; empty string replaces', async (t) => {
    const { config } = await loadYaml(
      t,
      ['api: {listen: "0.0.0.0:9000", proxy_bind: ""}', 'docker:', '  dns: ["172.17.0.1"]', '  proxy: {http: "http://p:3128"}', 'plugins:', '  timeouts: {deploy: 20m}', 'log_level: debug'].join('\n'),
    );
    t.strictSame(config.api, { listen: '0.0.0.0:9000', token: '', proxy_bind: '', body_limit: 1048576 });
    t.strictSame(config.docker, { dns: ['172.17.0.1'], log_max_size: '50m', log_max_file: 3, proxy: { http: 'http://p:3128', https: '', no_proxy: '' } });
    t.equal(config.plugins.timeouts.deploy, '20m');
    t.equal(config.plugins.timeouts.init, '10s');
    t.equal(config.plugins.dir, EXPECTED_DEFAULTS.plugins.dir);
    t.equal(config.log_level, 'debug');
  });

  t.test('the deployed example of spec §2.4 loads', async (t) => {
    const yaml = [
      'zfs: {pool: dockersnap, dataset_prefix: instances, arc_max_bytes: 5368709120}',
      'api: {listen: "0.0.0.0:9847", token: "s3cr3t", proxy_bind: "0.0.0.0"}',
      'network: {range: "10.0.0.0/8", subnet_size: 16, base_offset: "10.10.0.0", metallb_host_offset: "10.10"}',
      'docker:',
      '  dns: ["172.17.0.1"]',
      '  log_max_size: "50m"',
      '  log_max_file: 3',
      '  proxy: {http: "http://proxy:3128", https: "http://proxy:3128", no_proxy: "localhost,127.0.0.1"}',
      'state_file: /var/lib/dockersnap/state.json',
      'run_dir: /run/dockersnap',
      'plugins: {dir: /usr/local/lib/dockersnap/plugins, health_poll_interval: "30s", health_failure_threshold: 3}',
    ].join('\n');
    const { config } = await loadYaml(t, yaml);
    t.strictSame(config.zfs, { pool: 'dockersnap', dataset_prefix: 'instances', arc_max_bytes: 5368709120 }, 'plugin section kept as written');
    t.equal(config.api.token, 's3cr3t');
    t.equal(config.docker.proxy.no_proxy, 'localhost,127.0.0.1');
  });

  t.test('maps merge key by key; null means "not set"', async (t) => {
    const { config } = await loadYaml(t, 'capabilities: {state: state-json}\napi:\n  listen:\n  token: ~\nnetwork:\nplugins:\n  config: {kind: {retries: 3}, echo: null}\n');
    t.strictSame(config.capabilities, { storage: 'storage-btrfs', state: 'state-json' });
    t.equal(config.api.listen, '127.0.0.1:9847');
    t.equal(config.network.subnet_size, 16);
    t.strictSame(config.plugins.config, { kind: { retries: 3 } });
  });

  t.test('unknown keys: core sections drop them with a warning, top level keeps them', async (t) => {
    const warnings: string[] = [];
    const { path, config } = await loadYaml(t, 'api: {listn: ":1"}\ndocker: {proxy: {ftp: x}}\nbtrfs: {image: /x.img}\n', { onWarning: (m) => warnings.push(m) });
    t.notOk('listn' in config.api);
    t.notOk('ftp' in config.docker.proxy);
    t.strictSame(config.btrfs, { image: '/x.img' });
    t.strictSame(warnings.sort(), [`config ${path}: unknown key api.listn ignored`, `config ${path}: unknown key docker.proxy.ftp ignored`]);
  });

  t.test('scalars for strings are taken as text; quoted numbers as numbers', async (t) => {
    const { config } = await loadYaml(t, 'api: {token: 12345}\nnetwork: {subnet_size: "20"}\n');
    t.equal(config.api.token, '12345');
    t.equal(config.network.subnet_size, 20);
  });
});

t.test('environment and overrides', async (t) => {
  const env = {
    DOCKERSNAP_LOG_LEVEL: 'ERROR',
    DOCKERSNAP_PLUGIN_DIR: '/opt/plugins',
    DOCKERSNAP_TOKEN: 'tok',
    DOCKERSNAP_STATE_FILE: '/tmp/s.json',
    DOCKERSNAP_RUN_DIR: '/tmp/run',
    DOCKERSNAP_DATA_DIR: '/tmp/data',
  };

  t.test('each variable overrides its key, over the file', async (t) => {
    const { config } = await loadYaml(t, 'log_level: debug\napi: {token: fromfile}\nplugins: {dir: /file}\n', { env });
    t.equal(config.log_level, 'error');
    t.equal(config.plugins.dir, '/opt/plugins');
    t.equal(config.api.token, 'tok');
    t.equal(config.state_file, '/tmp/s.json');
    t.equal(config.run_dir, '/tmp/run');
    t.equal(config.data_dir, '/tmp/data');
    t.equal(config.plugins.health_poll_interval, '30s', 'siblings keep their defaults');
  });

  t.test('an empty variable counts as unset', async (t) => {
    const { config } = await loadYaml(t, 'api: {token: fromfile}\n', { env: { DOCKERSNAP_TOKEN: '' } });
    t.equal(config.api.token, 'fromfile');
  });

  t.test('overrides beat env and file, and are not mutated', async (t) => {
    const overrides = { api: { token: 'over' }, network: { subnet_size: 24 }, docker: { dns: ['9.9.9.9'] } };
    const { config } = await loadYaml(t, 'docker: {dns: [1.1.1.1, 8.8.8.8]}\n', { env, overrides });
    t.equal(config.api.token, 'over');
    t.equal(config.network.subnet_size, 24);
    t.strictSame(config.docker.dns, ['9.9.9.9']);
    t.strictSame(overrides, { api: { token: 'over' }, network: { subnet_size: 24 }, docker: { dns: ['9.9.9.9'] } });
    config.docker.dns.push('x');
    t.strictSame(overrides.docker.dns, ['9.9.9.9']);
  });

  t.test('DOCKERSNAP_CONFIG picks the file; the path option beats it', async (t) => {
    const dir = t.testdir({ 'a.yaml': 'run_dir: /from-a\n', 'b.yaml': 'run_dir: /from-b\n' });
    t.equal((await loadConfig({ env: { DOCKERSNAP_CONFIG: join(dir, 'a.yaml') } })).run_dir, '/from-a');
    t.equal((await loadConfig({ path: join(dir, 'b.yaml'), env: { DOCKERSNAP_CONFIG: join(dir, 'a.yaml') } })).run_dir, '/from-b');
  });
});

t.test('file errors', async (t) => {
  t.test('an explicit path that does not exist', async (t) => {
    const dir = t.testdir({});
    const missing = join(dir, 'missing.yaml');
    await t.rejects(loadConfig({ path: missing, env: {} }), { code: 'DS_ERR_CONFIG', message: `config file ${missing} not found` });
    await t.rejects(loadConfig({ env: { DOCKERSNAP_CONFIG: missing } }), { code: 'DS_ERR_CONFIG', message: `config file ${missing} not found` });
  });

  t.test('a path that cannot be read', async (t) => {
    const dir = t.testdir({});
    mkdirSync(join(dir, 'adir.yaml'));
    await t.rejects(loadConfig({ path: join(dir, 'adir.yaml'), env: {} }), { code: 'DS_ERR_CONFIG', message: new RegExp(`^reading config file ${join(dir, 'adir.yaml')}: `) });
  });

  t.test('YAML syntax errors name the file and the line', async (t) => {
    const { path, err } = await loadError(t, 'api:\n  listen: ":1"\nnetwork: {subnet_size: [16\n');
    t.match(err.message, `parsing config file ${path} (line 4, column 1): `);
    t.equal(err.details.line, 4);
    const dup = await loadError(t, 'run_dir: /a\nrun_dir: /b\n');
    t.match(dup.err.message, `parsing config file ${dup.path} (line 2, column 1): Map keys must be unique`);
    const alias = await loadError(t, 'run_dir: *nope\n');
    t.match(alias.err.message, `parsing config file ${alias.path}: `);
  });

  t.test('the top level must be a mapping', async (t) => {
    const { path, err } = await loadError(t, '- a\n- b\n');
    t.equal(err.message, `config ${path}: the top level must be a mapping of keys to values (got a list)`);
  });
});

t.test('value errors name the key and the expected type', async (t) => {
  t.test('the brief example, word for word', async (t) => {
    const { path, err } = await loadError(t, 'network: {subnet_size: "16a"}\n');
    t.equal(err.message, `config ${path}: network.subnet_size must be integer (got "16a")`);
    t.strictSame(err.details.problems, [{ key: 'network.subnet_size', message: 'must be integer (got "16a")' }]);
  });

  t.test('all errors are reported at once', async (t) => {
    const yaml = 'api: {body_limit: 0, token: [a]}\ndocker: {dns: [ok, {x: 1}], log_max_file: 1.5}\nstate_file: ""\nplugins: {disabled: [Bad_Id], config: {kind: 3}}\ncapabilities: {storage: 7x}\n';
    const { path, err } = await loadError(t, yaml);
    const keys = (err.details.problems as { key: string }[]).map((p) => p.key).sort();
    t.strictSame(keys, ['api.body_limit', 'api.token', 'capabilities.storage', 'docker.dns[1]', 'docker.log_max_file', 'plugins.config.kind', 'plugins.disabled[0]', 'state_file']);
    t.match(err.message, `config ${path}: `);
    t.match(err.message, 'api.body_limit must be >= 1 (got 0)');
    t.match(err.message, 'api.token must be string (got <redacted>)');
    t.notMatch(err.message, '"a"', 'the token value is not echoed');
    t.match(err.message, 'docker.dns[1] must be string (got {"x":1})');
    t.match(err.message, 'docker.log_max_file must be integer (got 1.5)');
    t.match(err.message, 'state_file must not be empty (got "")');
    t.match(err.message, 'plugins.disabled[0] must match ^[a-z]');
    t.match(err.message, 'plugins.config.kind must be object (got 3)');
  });

  t.test('a section of the wrong type', async (t) => {
    const { path, err } = await loadError(t, 'api: "127.0.0.1:1"\n');
    t.equal(err.message, `config ${path}: api must be object (got "127.0.0.1:1")`);
  });

  t.test('semantic checks', async (t) => {
    const cases: [string, string, string][] = [
      ['network: {base_offset: "10.10.0"}', 'network.base_offset', 'must be an IPv4 address such as 10.10.0.0 (got "10.10.0")'],
      ['network: {base_offset: "fd00::"}', 'network.base_offset', 'must be an IPv4 address such as 10.10.0.0 (got "fd00::")'],
      ['network: {metallb_host_offset: "10.300"}', 'network.metallb_host_offset', 'must be "X.Y" with X and Y in 0-255, such as "10.10" (got "10.300")'],
      ['network: {metallb_host_offset: "10"}', 'network.metallb_host_offset', 'must be "X.Y" with X and Y in 0-255, such as "10.10" (got "10")'],
      ['api: {listen: "127.0.0.1"}', 'api.listen', 'must be host:port such as 127.0.0.1:9847 (got "127.0.0.1")'],
      ['api: {listen: "127.0.0.1:99999"}', 'api.listen', 'must be host:port such as 127.0.0.1:9847 (got "127.0.0.1:99999")'],
      ['api: {listen: "::1:80"}', 'api.listen', 'must be host:port such as 127.0.0.1:9847 (got "::1:80")'],
      ['api: {proxy_bind: "localhost"}', 'api.proxy_bind', 'must be an IP address such as 127.0.0.1, or empty (got "localhost")'],
      ['plugins: {health_poll_interval: "30"}', 'plugins.health_poll_interval', 'must be a Go duration such as 30s, 1.5m or 1h30m (got "30")'],
      ['plugins: {timeouts: {deploy: "10 m"}}', 'plugins.timeouts.deploy', 'must be a Go duration such as 30s, 1.5m or 1h30m (got "10 m")'],
      ['plugins: {hook_timeout: "0s"}', 'plugins.hook_timeout', 'must be a positive duration (got "0s")'],
      ['plugins: {setup_timeout: "-1s"}', 'plugins.setup_timeout', 'must be a positive duration (got "-1s")'],
      ['plugins: {required: [kind], disabled: [kind]}', 'plugins.required', 'lists "kind", which plugins.disabled also lists'],
    ];
    for (const [yaml, key, message] of cases) {
      const { path, err } = await loadError(t, yaml + '\n');
      t.equal(err.message, `config ${path}: ${key} ${message}`, yaml);
    }
  });

  t.test('valid addresses pass', async (t) => {
    for (const listen of [':9847', '0.0.0.0:1', '[::1]:9847', 'localhost:0', 'vm.example.com:9847']) {
      const { config } = await loadYaml(t, `api: {listen: "${listen}", proxy_bind: "::"}\n`);
      t.equal(config.api.listen, listen);
    }
  });
});

t.test('normalisation of the original', async (t) => {
  const { config } = await loadYaml(
    t,
    'plugins: {health_poll_interval: "", health_failure_threshold: 0, hook_timeout: "", timeouts: {init: "", deploy: "0s", teardown: "-5s", health: "1m30s"}}\nlog_level: " WARNING "\n',
  );
  t.equal(config.plugins.health_poll_interval, '30s', 'empty poll interval ⇒ 30s');
  t.equal(config.plugins.health_failure_threshold, 3, 'threshold < 1 ⇒ 3');
  t.equal(config.plugins.hook_timeout, '60s');
  t.strictSame(config.plugins.timeouts, { init: '10s', schema: '5s', validate: '30s', deploy: '600s', teardown: '120s', access: '10s', describe: '10s', health: '1m30s' });
  t.equal(config.log_level, 'warn');

  const off = await loadYaml(t, 'plugins: {health_poll_interval: "0s"}\nlog_level: verbose\n');
  t.equal(off.config.plugins.health_poll_interval, '0s', '0s keeps meaning "polling off"');
  t.equal(off.config.log_level, 'info', 'unknown levels fall back to info');
});

t.test('parseGoDuration', async (t) => {
  const valid: [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5m', 90_000],
    ['.5s', 500],
    ['5.s', 5_000],
    ['300ms', 300],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1μs', 0.001],
    ['1500ns', 0.0015],
    ['-1.5h', -5_400_000],
    ['+2m', 120_000],
    ['1h0m0s', 3_600_000],
    ['2h45m30.5s', 9_930_500],
  ];
  for (const [text, ms] of valid) {
    t.ok(Math.abs(parseGoDuration(text) - ms) < 1e-9, `${text} = ${ms} ms (got ${parseGoDuration(text)})`);
  }
  const invalid = ['', '10', '1.5', '1x', 'h', 's1', '1h 30m', ' 1s', '-', '+', '.', '.s', '1..5s', '1h-30m', '1S', '0s0'];
  for (const text of invalid) {
    t.throws(() => parseGoDuration(text), { code: 'DS_ERR_CONFIG' }, `rejects ${JSON.stringify(text)}`);
    t.equal(isGoDuration(text), false);
  }
  t.throws(() => parseGoDuration('1x'), { message: 'invalid duration "1x": unknown unit "x" (expected a Go duration such as 30s, 1.5m or 1h30m)' });
  t.throws(() => parseGoDuration('10'), { message: /missing unit/ });
});
