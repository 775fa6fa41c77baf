import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- plain ESM helper without types
import { execFixtureExpectation, execFixtureNames, installExecFixtures } from '../../fixtures/exec-plugins/install.mjs';
import { DsError, workloadCapability, type Logger, type ProgressEvent, type WorkloadInput } from '../../plugin-sdk/index.js';
import { workloadCatalogCapability } from '../../plugin-sdk/capabilities/workload-catalog.js';
import { startTestKernel } from '../../plugin-sdk/testing/index.js';
import { assertExecPluginConforms, checkExecPlugin } from '../../plugin-sdk/testing/exec-harness.js';
import workloadExec from '../../builtin-plugins/workload-exec/index.js';
import { ExecPluginCatalog } from '../../builtin-plugins/workload-exec/catalog.js';
import { ExecWorkloadDriver } from '../../builtin-plugins/workload-exec/exec-driver.js';
import { LineSplitter } from '../../builtin-plugins/workload-exec/line-splitter.js';
import { reemitLogLine } from '../../builtin-plugins/workload-exec/plugin-log.js';
import { trailingEnvelope } from '../../builtin-plugins/workload-exec/progress-line.js';
import { ExecRunner, pluginInputJson } from '../../builtin-plugins/workload-exec/runner.js';
import { commandTimeouts } from '../../builtin-plugins/workload-exec/timeouts.js';

/* ------------------------------------------------------------------ helpers */

interface LogRecord {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

/** A Logger that keeps what it is given. */
function captureLogger(records: LogRecord[] = []): Logger & { records: LogRecord[] } {
  const at = (level: string) => (obj: object | string, msg?: string) => void records.push(typeof obj === 'string' ? { level, fields: {}, msg: obj } : { level, fields: { ...obj }, msg: msg ?? '' });
  const log = { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

const ROOT = mkdtempSync(join(tmpdir(), 'ds-exec-'));
const PLUGINS = join(ROOT, 'plugins');
const SIDE = join(ROOT, 'side');
mkdirSync(PLUGINS);
mkdirSync(SIDE);
let installed: Record<string, string> = {};

/**
 * The daemon env the plugins inherit: ours plus where fixtures put side files, minus what
 * only slows node-based plugins down (the test runner's loader hooks, the CA bundle).
 */
const ENV: NodeJS.ProcessEnv = { ...process.env, DSFIXTURE_DIR: SIDE };
delete ENV['NODE_OPTIONS'];
delete ENV['NODE_EXTRA_CA_CERTS'];

let instanceSeq = 0;
function inputFor(instance = `exec${process.pid}x${instanceSeq++}`): WorkloadInput {
  return {
    contract_version: '1',
    instance_name: instance,
    instance: { name: instance, socket: `/run/dockersnap/${instance}.sock`, subnet: '10.10.0.0/16', data_root: `/dockersnap/instances/${instance}`, host_veth_ip: '10.10.0.1', ns_veth_ip: '10.10.0.2', netns_name: `ds-${instance}`, metallb_ip: '10.10.10.10', created_at: '2026-04-30T10:00:00.123456789Z' },
    forwarded_ports: [
      { label: 'container:0123456789ab/5678/tcp', container_port: 5678, host_port: 40001, protocol: 'tcp' },
      { label: 'api', container_port: 6443, host_port: 40002, protocol: 'tcp' },
    ],
    env: { HTTP_PROXY: 'http://proxy:3128', http_proxy: 'http://proxy:3128' },
  };
}

/** Alive = has a /proc entry that is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Live processes whose process group is `pgid`. */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid && rest[0] !== 'Z') out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Waits (bounded) for SIGKILLed processes to be gone: delivery is immediate, but the kernel
 * tears a process down asynchronously. This polls a condition; it is not a timing guess.
 */
async function gone(pids: number[], deadlineMs = 5000): Promise<number[]> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function killLeftovers(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  for (const pid of readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group (any more)
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function script(dir: string, name: string, body: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, body, { mode });
  return path;
}

/** Replaces `{instance}`, `{fixture_dir}`, `{socket}` in an expectation. */
function fill<T>(v: T, input: WorkloadInput): T {
  const text = JSON.stringify(v).replaceAll('{instance}', input.instance_name).replaceAll('{fixture_dir}', SIDE).replaceAll('{socket}', input.instance.socket);
  return JSON.parse(text) as T;
}

let catalog: ExecPluginCatalog;
const hostAbort = new AbortController();

t.before(async () => {
  installed = (await installExecFixtures(PLUGINS)) as Record<string, string>;
  catalog = new ExecPluginCatalog(PLUGINS, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({}), baseEnv: ENV, signal: hostAbort.signal }), captureLogger());
  await catalog.rescan();
});

t.teardown(() => {
  hostAbort.abort();
  for (const f of existsSync(SIDE) ? readdirSync(SIDE) : []) if (f.endsWith('.pids')) killLeftovers(join(SIDE, f));
  rmSync(ROOT, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ discovery */

t.test('discovery: every fixture listed (or not) with its status, error text and digests', async (t) => {
  const names = execFixtureNames() as string[];
  const expected = names.filter((n) => execFixtureExpectation(n).listed).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const list = catalog.list();
  t.same(list.map((p) => p.name), expected, 'listed in file-name order; no-exec-bit skipped');
  for (const name of names) {
    const e = execFixtureExpectation(name);
    const info = catalog.get(name);
    if (!e.listed) {
      t.equal(info, undefined, `${name} is not listed`);
      continue;
    }
    t.equal(info?.status, e.status, `${name}: ${e.status}`);
    t.equal(info?.state, e.status === 'ready' ? 'ok' : 'error');
    t.equal(info?.kind, 'exec');
    if (e.error) t.equal(info?.error, e.error, `${name}: error text`);
    else t.notOk(info?.error, `${name}: no error`);
    if (e.version) t.equal(info?.version, e.version, `${name}: version from the schema`);
    t.equal(info?.binary_digest, sha256(readFileSync(installed[name]!)), `${name}: binary digest`);
    if (e.status === 'ready') {
      const raw = spawnSync(installed[name]!, ['schema'], { env: ENV }).stdout;
      t.equal(info?.schema_digest, sha256(raw), `${name}: schema digest is over the raw stdout bytes`);
      t.same(info?.supported_contract_versions, ['1']);
    }
    if (e.noSchemaDigest) t.notOk(info?.schema_digest, `${name}: no schema digest after a failed contract check`);
  }
  t.same(catalog.get('unsupported-contract')?.supported_contract_versions, ['2']);
  t.equal(catalog.get('bash-echo')?.config_options?.length, 3);
  for (const name of names) {
    const marker = execFixtureExpectation(name).neverRuns;
    if (marker) t.notOk(existsSync(join(SIDE, marker)), `${name}: init never ran`);
  }
});

t.test('discovery edge cases: start failures, hashing, schema exit, empty versions, odd names, subdirectories', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'odd-'));
  const schemaOk = `case "$1" in schema) echo '{"supported_contract_versions":["1"],"plugin_name":"x","plugin_version":"1"}';; esac\n`;
  script(dir, 'no-interp', '#!/nonexistent/interpreter\n');
  script(dir, 'schema-exit', '#!/bin/sh\necho boom >&2\nexit 2\n');
  script(dir, 'empty-versions', '#!/bin/sh\necho \'{"contract_version":"1","plugin_name":"e","plugin_version":"1"}\'\n');
  script(dir, 'B upper & space', `#!/bin/sh\n${schemaOk}`);
  script(dir, 'a-lower', `#!/bin/sh\n${schemaOk}`);
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  symlinkSync(join(dir, 'a-lower'), join(dir, 'link-to-a'));
  mkdirSync(join(dir, 'kernel-plugin-folder'));
  script(join(dir, 'kernel-plugin-folder'), 'inner', `#!/bin/sh\n${schemaOk}`);
  const c = new ExecPluginCatalog(dir, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({}), baseEnv: ENV }), captureLogger());
  const list = await c.rescan();
  t.same(list.map((p) => p.name), ['B upper & space', 'a-lower', 'dangling', 'empty-versions', 'link-to-a', 'no-interp', 'schema-exit'], 'byte order; directories skipped; symlinks pass the exec check');
  const byName = Object.fromEntries(list.map((p) => [p.name, p]));
  t.equal(byName['dangling']?.error, `hashing binary: open ${join(dir, 'dangling')}: no such file or directory`);
  t.equal(byName['no-interp']?.error, `running schema: plugin no-interp schema: fork/exec ${join(dir, 'no-interp')}: no such file or directory`);
  t.equal(byName['schema-exit']?.error, 'running schema: plugin schema-exit schema: exit status 2 (stderr: boom)');
  t.equal(byName['empty-versions']?.error, 'plugin contract versions [] are not supported by this daemon');
  t.equal(byName['link-to-a']?.status, 'ready');
  t.equal(byName['B upper & space']?.status, 'ready', 'names are used verbatim');
});

t.test('plugin dir: missing means none; unreadable keeps the previous set and throws', async (t) => {
  const dir = join(ROOT, 'later');
  const c = new ExecPluginCatalog(dir, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({}), baseEnv: ENV }), captureLogger());
  t.same(await c.rescan(), []);
  mkdirSync(dir);
  copyFileSync(installed['bash-echo']!, join(dir, 'bash-echo'));
  spawnSync('chmod', ['755', join(dir, 'bash-echo')]);
  t.same((await c.rescan()).map((p) => p.name), ['bash-echo']);
  rmSync(dir, { recursive: true });
  writeFileSync(dir, 'not a directory');
  await t.rejects(c.rescan(), { code: 'DS_ERR_PLUGIN_LOAD', message: `reading plugin directory: open ${dir}: not a directory` });
  t.same(c.list().map((p) => p.name), ['bash-echo'], 'the previous set stays');
  t.throws(() => c.driver('nope'), { code: 'DS_ERR_PLUGIN_NOT_FOUND', message: 'plugin "nope" not found' });
});

/* ------------------------------------------------------------------ every fixture, every command */

const ORDER = ['validate', 'deploy', 'access', 'describe', 'health', 'teardown'] as const;
type Cmd = (typeof ORDER)[number];

interface CommandExpectation {
  outcome: 'ok' | 'error' | 'invalid';
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
  result?: unknown;
  events?: ProgressEvent[];
  logs?: Array<{ level: string; msg: string; fields: Record<string, unknown> }>;
  pidFile?: string;
}

async function call(driver: ExecWorkloadDriver, cmd: Cmd, input: WorkloadInput, onProgress: (e: ProgressEvent) => void): Promise<unknown> {
  const options = { onProgress };
  if (cmd === 'deploy' || cmd === 'teardown') return driver[cmd]({ ...input, command: cmd }, options);
  return driver[cmd]({ ...input, command: cmd }, options);
}

for (const name of (execFixtureNames() as string[]).filter((n) => execFixtureExpectation(n).commands)) {
  t.test(`fixture ${name}: every command as expect.json says`, async (t) => {
    const e = execFixtureExpectation(name);
    const log = captureLogger();
    const runner = new ExecRunner({ log, timeouts: commandTimeouts(e.timeouts ?? {}), baseEnv: ENV });
    const driver = new ExecWorkloadDriver(name, catalog, runner, log);
    const input = inputFor();
    t.teardown(() => {
      for (const f of readdirSync(SIDE)) if (f.startsWith(name) && f.endsWith('.pids')) killLeftovers(join(SIDE, f));
    });
    for (const cmd of ORDER) {
      const want = e.commands[cmd] as CommandExpectation | undefined;
      if (!want) continue;
      const x = fill(want, input);
      const events: ProgressEvent[] = [];
      log.records.length = 0;
      let result: unknown;
      let error: unknown;
      try {
        result = await call(driver, cmd, input, (ev) => events.push(ev));
      } catch (err) {
        error = err;
      }
      if (x.outcome === 'error') {
        t.type(error, DsError, `${cmd}: fails with a DsError`);
        t.match(error, { code: x.code, ...(x.message ? { message: x.message } : {}), ...(x.details ? { details: x.details } : {}) }, `${cmd}: code and message`);
        if (x.message) t.equal((error as Error).message, x.message, `${cmd}: exact message`);
      } else {
        t.equal(error, undefined, `${cmd}: succeeds`);
        if (x.result !== undefined) {
          if (cmd === 'describe') t.match(result, x.result, `${cmd}: result`);
          else t.same(result, x.result, `${cmd}: result`);
        }
      }
      if (x.events) t.same(events, x.events, `${cmd}: progress forwarded in order`);
      let from = 0;
      for (const l of x.logs ?? []) {
        const i = log.records.findIndex((r, k) => k >= from && r.level === l.level && r.msg === l.msg);
        t.ok(i >= 0, `${cmd}: log "${l.msg}" re-emitted at ${l.level}`);
        if (i >= 0) t.match(log.records[i]!.fields, l.fields, `${cmd}: log "${l.msg}" fields`);
        from = i + 1;
      }
      if (x.pidFile) {
        const pids = readFileSync(join(SIDE, x.pidFile), 'utf8').trim().split(/\s+/).map(Number);
        t.equal(pids.length, 2, `${cmd}: the plugin and the helper it forked`);
        t.same(await gone(pids), [], `${cmd}: plugin and helper are dead after the timeout`);
        t.same(groupMembers(pids[0]!), [], `${cmd}: nothing is left in the plugin's process group`);
      }
    }
  });
}

/* ------------------------------------------------------------------ the wire, exactly */

t.test('argv, stdin and environment are the contract’s, plus our three variables', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'rec-'));
  const rec = join(SIDE, 'rec');
  mkdirSync(rec, { recursive: true });
  const path = script(
    dir,
    'recorder',
    `#!/bin/sh
d="$DSFIXTURE_DIR/rec"
cat > "$d/$1.stdin"
printf '%s\\n' "$#" "$0" "$1" > "$d/$1.argv"
printf '%s|%s|%s|%s\\n' "\${DOCKER_HOST-unset}" "\${DOCKERSNAP_INSTANCE-unset}" "\${DOCKERSNAP_CONTRACT_VERSION-unset}" "\${PROBE-unset}" > "$d/$1.env"
case "$1" in
  schema) echo '{"contract_version":"1","supported_contract_versions":["1"],"plugin_name":"rec","plugin_version":"1"}' ;;
  validate) echo '{"contract_version":"1","valid":true}' ;;
  health) echo '{"healthy":true}' ;;
  deploy|teardown|init) ;;
  *) echo '{}' ;;
esac
`,
  );
  const env = { ...ENV, DOCKER_HOST: 'tcp://the-daemons-own:2375', PROBE: 'from-the-daemon' };
  const c = new ExecPluginCatalog(dir, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({}), baseEnv: env }), captureLogger());
  await c.rescan();
  const d = c.driver('recorder');
  const input = { ...inputFor('rec'), plugin_config: { a: 1 }, instance: { ...inputFor('rec').instance, clone_of: 'base@golden' } };
  await d.validate(input);
  await d.deploy(input);
  await d.describe({ ...input, forwarded_ports: [], env: {}, plugin_config: {} });
  for (const cmd of ['schema', 'init']) {
    t.equal(readFileSync(join(rec, `${cmd}.stdin`), 'utf8'), '', `${cmd}: stdin is empty`);
    t.equal(readFileSync(join(rec, `${cmd}.argv`), 'utf8'), `1\n${path}\n${cmd}\n`, `${cmd}: argv is [path, command]`);
    t.equal(readFileSync(join(rec, `${cmd}.env`), 'utf8'), 'tcp://the-daemons-own:2375|unset|1|from-the-daemon\n', `${cmd}: the daemon's env, plus the contract version`);
  }
  const stdin = readFileSync(join(rec, 'validate.stdin'), 'utf8');
  t.equal(stdin, pluginInputJson('validate', input), 'validate: the compact PluginInput');
  t.notOk(stdin.endsWith('\n'), 'no trailing newline');
  t.same(Object.keys(JSON.parse(stdin)), ['contract_version', 'command', 'instance_name', 'instance', 'forwarded_ports', 'env', 'plugin_config']);
  t.equal(JSON.parse(stdin).instance.clone_of, 'base@golden');
  t.equal(JSON.parse(readFileSync(join(rec, 'deploy.stdin'), 'utf8')).command, 'deploy', 'command is the one being run');
  t.same(Object.keys(JSON.parse(readFileSync(join(rec, 'describe.stdin'), 'utf8'))), ['contract_version', 'command', 'instance_name', 'instance'], 'empty optionals omitted');
  for (const cmd of ['validate', 'deploy', 'describe']) {
    t.equal(readFileSync(join(rec, `${cmd}.env`), 'utf8'), 'unix:///run/dockersnap/rec.sock|rec|1|from-the-daemon\n', `${cmd}: DOCKER_HOST and DOCKERSNAP_INSTANCE injected`);
  }
});

t.test('progress is forwarded live, before the plugin exits', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'live-'));
  const fifo = join(SIDE, 'live.fifo');
  spawnSync('mkfifo', [fifo]);
  script(
    dir,
    'live',
    `#!/bin/sh
case "$1" in
  schema) echo '{"supported_contract_versions":["1"],"plugin_name":"live","plugin_version":"1"}' ;;
  deploy)
    cat >/dev/null
    echo '{"step":"wait","status":"running","message":"waiting for the daemon to see this"}'
    read go < "${fifo}"
    echo '{"step":"wait","status":"done","message":"'"$go"'"}'
    echo '{"step":"complete","status":"done"}'
    ;;
esac
`,
  );
  const c = new ExecPluginCatalog(dir, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({ deploy: '20s' }), baseEnv: ENV }), captureLogger());
  await c.rescan();
  const events: ProgressEvent[] = [];
  await c.driver('live').deploy(inputFor(), {
    onProgress: (e) => {
      events.push(e);
      // The plugin blocks on the FIFO until it gets this: only a live event can release it.
      if (events.length === 1) void writeFile(fifo, 'released\n');
    },
  });
  t.same(events, [
    { step: 'wait', status: 'running', message: 'waiting for the daemon to see this' },
    { step: 'wait', status: 'done', message: 'released' },
    { step: 'complete', status: 'done' },
  ]);
});

t.test('cancellation kills the whole group too', async (t) => {
  const log = captureLogger();
  const driver = new ExecWorkloadDriver('hangs-in-deploy', catalog, new ExecRunner({ log, timeouts: commandTimeouts({}), baseEnv: ENV }), log);
  const pidFile = join(SIDE, 'hangs-in-deploy.deploy.pids');
  rmSync(pidFile, { force: true });
  t.teardown(() => killLeftovers(pidFile));
  const ac = new AbortController();
  const err = await driver.deploy(inputFor(), { signal: ac.signal, onProgress: () => ac.abort() }).catch((e: unknown) => e);
  t.match(err, { code: 'DS_ERR_PLUGIN_FAILED', message: 'plugin deploy: plugin hangs-in-deploy deploy: signal: killed (stderr: ); cancelled' });
  // The fixture emits its event only after forking the helper and writing the pid file.
  const pids = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
  t.equal(pids.length, 2);
  t.same(await gone(pids), [], 'plugin and helper are dead after the cancellation');
  t.same(groupMembers(pids[0]!), []);
});

t.test('a plugin that exits leaving a helper on its stdout: the call returns, the helper is left alone', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'bg-'));
  const pidFile = join(SIDE, 'bg.pids');
  t.teardown(() => killLeftovers(pidFile));
  script(
    dir,
    'bg',
    `#!/bin/sh
case "$1" in
  schema) echo '{"supported_contract_versions":["1"],"plugin_name":"bg","plugin_version":"1"}' ;;
  describe) cat >/dev/null; sleep 1000 & echo "$!" > "${pidFile}"; echo '{"workload_type":"bg","status":"ready"}' ;;
esac
`,
  );
  const c = new ExecPluginCatalog(dir, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({ describe: '30s' }), baseEnv: ENV }), captureLogger());
  await c.rescan();
  t.same(await c.driver('bg').describe(inputFor()), { workload_type: 'bg', status: 'ready' });
  t.ok(alive(Number(readFileSync(pidFile, 'utf8').trim())), 'only a deadline or a cancellation kills the group');
});

t.test('stderr: only the first 64 KiB is kept for messages', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'loud-'));
  script(dir, 'loud', `#!/bin/sh\ncase "$1" in schema) echo '{"supported_contract_versions":["1"],"plugin_name":"loud","plugin_version":"1"}';; describe) cat >/dev/null; head -c 100000 /dev/zero | tr '\\0' 'e' >&2; exit 1;; esac\n`);
  const c = new ExecPluginCatalog(dir, new ExecRunner({ log: captureLogger(), timeouts: commandTimeouts({}), baseEnv: ENV }), captureLogger());
  await c.rescan();
  const err = (await c.driver('loud').describe(inputFor()).catch((e: unknown) => e)) as Error;
  t.equal(err.message, `plugin describe: plugin loud describe: exit status 1 (stderr: ${'e'.repeat(65536)})`);
});

/* ------------------------------------------------------------------ the builtin in a kernel */

t.test('the builtin: the catalog (no workload keys), rescans and reloads', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'kernel-'));
  for (const n of ['bash-echo', 'fails-init', 'no-exec-bit']) copyFileSync(installed[n]!, join(dir, n));
  spawnSync('chmod', ['755', join(dir, 'bash-echo'), join(dir, 'fails-init')]);
  const saved = { DSFIXTURE_DIR: process.env['DSFIXTURE_DIR'], NODE_OPTIONS: process.env['NODE_OPTIONS'] };
  // The builtin hands plugins the daemon's own env: make this process's env the fixture one.
  process.env['DSFIXTURE_DIR'] = SIDE;
  delete process.env['NODE_OPTIONS'];
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
  const tk = await startTestKernel({ plugins: [workloadExec], settings: { plugins: { dir } } });
  t.teardown(() => tk.close());
  t.equal(tk.kernel.plugins().find((p) => p.id === 'workload-exec')?.status, 'ok');
  const lease = tk.kernel.acquire();
  t.teardown(() => lease.release());
  const cat = lease.capabilities.get(workloadCatalogCapability);
  t.same([...lease.capabilities.getMulti(workloadCapability).keys()], [], 'exec plugins are reached through the catalog, not workload keys');
  const drivers = new Map([['bash-echo', cat.driver('bash-echo')]]);
  t.same(cat.list().map((p) => [p.name, p.status]), [['bash-echo', 'ready'], ['fails-init', 'disabled']]);
  t.throws(() => cat.driver('fails-init'), { code: 'DS_ERR_PLUGIN_DISABLED', message: 'plugin "fails-init" is disabled: running init: plugin fails-init init: exit status 1 (stderr: init: docker not found on PATH)' });
  const input = inputFor();
  await drivers.get('bash-echo')!.deploy(input);
  t.equal((await drivers.get('bash-echo')!.health(input)).healthy, true);
  t.same(await drivers.get('bash-echo')!.schema(), { contract_version: '1', supported_contract_versions: ['1'], plugin_name: 'bash-echo', plugin_version: '0.1.0', description: catalog.get('bash-echo')!.description, config_options: catalog.get('bash-echo')!.config_options });
  await drivers.get('bash-echo')!.teardown(input);

  copyFileSync(join(dir, 'bash-echo'), join(dir, 'bash-echo-2'));
  spawnSync('chmod', ['755', join(dir, 'bash-echo-2')]);
  unlinkSync(join(dir, 'bash-echo'));
  t.same((await cat.rescan()).map((p) => p.name), ['bash-echo-2', 'fails-init']);
  t.equal((await cat.driver('bash-echo-2').health(input)).healthy, false, 'a plugin added after boot is reachable through the catalog');
  await t.rejects(drivers.get('bash-echo')!.health(input), { code: 'DS_ERR_PLUGIN_NOT_FOUND', message: 'plugin "bash-echo" not found' }, 'a removed plugin’s driver says so');
  await tk.kernel.reload();
  const after = tk.kernel.acquire();
  t.teardown(() => after.release());
  t.same([...after.capabilities.getMulti(workloadCapability).keys()], [], 'still no workload keys after a reload');
  t.equal(after.capabilities.get(workloadCatalogCapability), cat, 'the same catalog serves the new generation');
});

/* ------------------------------------------------------------------ conformance harness */

t.test('the harness: bash-echo and the SDK plugin conform; the misbehaving ones do not', async (t) => {
  for (const name of ['bash-echo', 'ts-sdk-plugin']) {
    const report = await checkExecPlugin(installed[name]!, { env: ENV });
    assertExecPluginConforms(t, report);
    t.same(Object.keys(report.commands), ['schema', 'init', 'validate', 'deploy', 'access', 'describe', 'health', 'teardown']);
    t.ok(report.commands.deploy!.logs.structured.length > 0, `${name}: structured log lines seen`);
  }
  const garbage = await checkExecPlugin(installed['prints-garbage']!, { env: ENV });
  t.notOk(garbage.ok);
  t.match(garbage.problems, ['validate: stdout is not one JSON document: "garbage output\\n"']);
  t.ok(garbage.problems.includes('teardown: a stdout line over 1 MiB (the daemon skips it)'));
  t.ok(garbage.problems.includes('describe: "ports" must be an array'));
  const failing = await checkExecPlugin(installed['exits-1-mid-deploy']!, { env: ENV, commands: ['deploy', 'access', 'describe', 'health'] });
  t.same(failing.problems.filter((p) => p.startsWith('describe')), ['describe: exit status 3: describe went wrong', 'describe: stdout is not one JSON document: ""']);
  t.ok(failing.problems.includes('health: exit status 1: the daemon would discard the body and report a plugin fault'));
  const pidFile = join(SIDE, 'hangs-in-deploy.deploy.pids');
  rmSync(pidFile, { force: true });
  t.teardown(() => killLeftovers(pidFile));
  const hang = await checkExecPlugin(installed['hangs-in-deploy']!, { env: ENV, commands: ['deploy'], timeoutsMs: { deploy: 2000 } });
  t.same(hang.problems, ['deploy: did not finish within 2000 ms']);
  const pids = readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number);
  t.same(await gone(pids), [], 'the harness kills the group too');
});

/* ------------------------------------------------------------------ pure pieces */

t.test('§9 log lines: structured at their level, everything else raw at info', async (t) => {
  const log = captureLogger();
  const lines = [
    '{"ts":"t","level":"WARNING","msg":"w","plugin":"other","instance":"i","command":"c","attrs":{"a.b":1,"plugin":"attr"}}',
    '{"level":"bogus","msg":"x"}',
    '{"level":"error","msg":""}',
    '{"level":"debug","msg":"d"}\r',
    '   ',
    'panic: oh no',
    '{not json',
  ];
  for (const l of lines) reemitLogLine(log, 'p', 'deploy', l);
  t.same(log.records, [
    { level: 'warn', fields: { 'a.b': 1, plugin: 'other', command: 'c', instance: 'i' }, msg: 'w' },
    { level: 'info', fields: { plugin: 'p', command: 'deploy' }, msg: 'x' },
    { level: 'info', fields: { plugin: 'p', command: 'deploy', raw: true }, msg: '{"level":"error","msg":""}' },
    { level: 'debug', fields: { plugin: 'p', command: 'deploy' }, msg: 'd' },
    { level: 'info', fields: { plugin: 'p', command: 'deploy', raw: true }, msg: 'panic: oh no' },
    { level: 'info', fields: { plugin: 'p', command: 'deploy', raw: true }, msg: '{not json' },
  ]);
});

t.test('timeouts: Go durations, defaults for empty, invalid and ≤ 0', async (t) => {
  const d = commandTimeouts({ deploy: '15m', teardown: '', validate: 'soon', access: '0s', describe: '-5s', health: '1.5s' });
  t.same(d, { schema: 5000, init: 10000, validate: 30000, deploy: 900000, access: 10000, describe: 10000, health: 1500, teardown: 120000 });
});

t.test('line splitting: chunk boundaries, 1 MiB limit, final unterminated line', async (t) => {
  const got: string[] = [];
  const long: number[] = [];
  const s = new LineSplitter((l) => got.push(l), (n) => long.push(n), 8);
  for (const c of ['ab', 'c\nde', 'f\n\n123456789', '0\nxy\r\nlast']) s.push(Buffer.from(c));
  s.end();
  t.same(got, ['abc', 'def', '', 'xy\r', 'last']);
  t.same(long, [10]);
});

t.test('error envelopes at the end of a progress stream, compact or pretty', async (t) => {
  t.same(trailingEnvelope('{"step":"a","status":"running"}\n{"contract_version":"1","error":"e","details":"d"}\n'), { error: 'e', details: 'd' });
  t.same(trailingEnvelope('{"step":"a","status":"running"}\n{\n  "contract_version": "1",\n  "error": "pretty"\n}\n'), { error: 'pretty' });
  t.equal(trailingEnvelope('{"step":"a","status":"error","message":"x"}\n'), undefined);
});
