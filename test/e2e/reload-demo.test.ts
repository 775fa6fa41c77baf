import t, { type Test } from 'tap';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, type CliResult, closedPort, requireBuild, runCli, startDaemon, writeDaemonConfig } from '../helpers/daemon.js';
import { expectation, installFixtures } from '../helpers/fixtures.js';

/**
 * The plugin reload demo, end to end: a real `dockersnap serve` (builtins as shipped, every
 * path in a temp dir, 127.0.0.1 only) and the real CLI in separate processes. A plugin folder
 * is copied in, edited and removed; `plugin reload` applies each change without a restart, and
 * the plugin's CLI command and API route follow.
 */

requireBuild();
const dir = mkdtempSync(join(tmpdir(), 'dstest-e2e-'));
const pluginDir = join(dir, 'plugins');
mkdirSync(pluginDir);
const config = writeDaemonConfig(dir, { plugins: { dir: pluginDir } });
const daemon = await startDaemon(config, cleanEnv());
t.teardown(async () => {
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
});
const env = cleanEnv({ DOCKERSNAP_REMOTE: daemon.url, DOCKERSNAP_PLUGIN_DIR: pluginDir, DOCKERSNAP_PLUGIN_CACHE: join(dir, 'cli-cache') });
const cli = (...args: string[]) => runCli(args, env);

function ok(t: Test, r: CliResult, what: string): void {
  t.equal(r.code, 0, `${what} exits 0${r.code === 0 ? '' : `: ${r.stderr}`}`);
}

/** The row of `plugin list` for one plugin, as [name, status, version, source, kind, description]. */
function row(listing: string, name: string): string[] | undefined {
  const line = listing.split('\n').find((l) => l.startsWith(`${name} `));
  return line?.split(/ {2,}/);
}

t.test('a fresh daemon lists its builtins and no plugin command exists', async (t) => {
  const list = await cli('plugin', 'list');
  ok(t, list, 'plugin list');
  t.match(list.stdout, /^NAME\s+STATUS\s+VERSION\s+SOURCE\s+KIND\s+DESCRIPTION$/m);
  t.notOk(row(list.stdout, 'command'), 'the command plugin is not there yet');
  const hello = await cli('hello', 'bob');
  t.not(hello.code, 0);
  t.match(hello.stderr, /command "hello" not found.*\[DS_ERR_INVALID_INPUT\]/);
});

t.test('copy a plugin in, reload: its command and route work', async (t) => {
  installFixtures(pluginDir, ['command']);
  const reload = await cli('plugin', 'reload');
  ok(t, reload, 'plugin reload');
  t.match(reload.stdout, /^Reloaded \d+ plugin\(s\):$/m);
  t.match(reload.stdout, /^ {2}command {9}\s*ok {2}1\.0\.0$/m);
  const hello = await cli('hello', 'bob');
  ok(t, hello, 'hello bob');
  t.equal(hello.stdout, 'hello bob (v1)\n');
  t.equal((await cli('hello', '--shout', 'bob')).stdout, 'HELLO BOB (V1)\n', 'flags from the defineCommand descriptor');
  const help = await cli('--help');
  t.match(help.stdout, /PLUGIN COMMANDS\n\s+hello\s+Greets through the plugin's own API route \(plugin command\)/);
  const commandHelp = await cli('hello', '--help');
  ok(t, commandHelp, 'hello --help');
  t.match(commandHelp.stdout, /--shout\s+upper-case the greeting/);
  t.match(row((await cli('plugin', 'list')).stdout, 'command'), ['command', 'ok', '1.0.0', 'dir']);
});

t.test('edit a submodule, reload: the new behaviour, nothing stale', async (t) => {
  writeFileSync(join(pluginDir, 'command', 'lib', 'greeting.js'), "export const GREETING = 'howdy';\nexport const GENERATION = 'v2';\n");
  ok(t, await cli('plugin', 'reload'), 'plugin reload');
  const hello = await cli('hello', 'bob');
  ok(t, hello, 'hello bob');
  t.equal(hello.stdout, 'howdy bob (v2)\n');
});

t.test('delete the plugin, reload: its command is gone', async (t) => {
  rmSync(join(pluginDir, 'command'), { recursive: true });
  ok(t, await cli('plugin', 'reload'), 'plugin reload');
  const hello = await cli('hello', 'bob');
  t.equal(hello.code, 2, 'a usage error');
  t.match(hello.stderr, /^Error: command "hello" not found.*\[DS_ERR_INVALID_INPUT\]$/m);
  const list = await cli('plugin', 'list');
  ok(t, list, 'plugin list');
  t.notOk(row(list.stdout, 'command'), 'no longer listed');
});

t.test('a broken plugin is reported with its reason; the others keep working', async (t) => {
  installFixtures(pluginDir, ['broken', 'good', 'command']);
  const reload = await cli('plugin', 'reload');
  ok(t, reload, 'plugin reload');
  t.match(reload.stdout, /^ {2}broken {10}\s*error {2}1\.0\.0$/m);
  const list = await cli('plugin', 'list');
  ok(t, list, 'plugin list');
  t.same(row(list.stdout, 'broken'), ['broken', 'error', '1.0.0', 'dir', 'in-process', expectation('broken').reason]);
  t.match(row(list.stdout, 'good'), ['good', 'ok', '1.0.0', 'dir', 'in-process', 'Sets up fine and taps nothing']);
  t.equal((await cli('hello', 'bob')).stdout, 'hello bob (v1)\n', 'hello still works');
  const describe = await cli('plugin', 'describe', 'broken');
  t.equal(describe.code, 3);
  t.match(describe.stderr, /plugin describe: plugin "broken" is disabled: .*boom.*\[DS_ERR_PLUGIN_NOT_FOUND\]/);
  const json = await cli('plugin', 'list', '--json');
  ok(t, json, 'plugin list --json');
  t.match(JSON.parse(json.stdout), [{ name: 'broken', status: 'disabled', state: 'error', error: expectation('broken').reason }]);
});

t.test('bad input and an unreachable daemon fail with a code', async (t) => {
  const cases: Array<[string[], number, string]> = [
    [['plugin', 'describe'], 2, 'DS_ERR_INVALID_INPUT'],
    [['plugin', 'describe', 'a', 'b'], 2, 'DS_ERR_INVALID_INPUT'],
    [['nosuch'], 2, 'DS_ERR_INVALID_INPUT'],
    [['plugin', 'list', '--nosuch'], 2, 'DS_ERR_INVALID_INPUT'],
    [['plugin', 'describe', 'nosuch'], 3, 'DS_ERR_PLUGIN_NOT_FOUND'],
  ];
  for (const [args, code, name] of cases) {
    const r = await cli(...args);
    t.equal(r.code, code, `${args.join(' ')} exits ${code}`);
    t.match(r.stderr, new RegExp(`^Error: .*\\[${name}\\]$`, 'm'), `${args.join(' ')}: ${name}`);
    t.equal(r.stdout, '', 'nothing on stdout');
  }
  const remote = `http://127.0.0.1:${await closedPort()}`;
  const down = await runCli(['plugin', 'list'], { ...env, DOCKERSNAP_REMOTE: remote });
  t.equal(down.code, 6);
  t.match(down.stderr, /cannot reach the dockersnap daemon at .*dockersnap serve.*\[DS_ERR_DAEMON_UNREACHABLE\]/);
  const version = await runCli(['version'], { ...env, DOCKERSNAP_REMOTE: remote });
  t.equal(version.code, 0, 'version always exits 0');
  t.match(version.stdout, /^CLI: {4}v\d+\.\d+\.\d+\+dev\nDaemon: unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
  t.match((await cli('version')).stdout, new RegExp(`^Daemon: v\\d+\\.\\d+\\.\\d+\\+dev \\(${daemon.url}\\)$`, 'm'));
});

t.test('plugin commands come from manifests: lazy, core wins a clash, private cache only', async (t) => {
  const dir2 = t.testdir({
    lazy: {
      'plugin.json': JSON.stringify({ id: 'lazy', version: '1.0.0', commands: { explode: { summary: 'Fails when imported', file: 'explode.js' } } }),
      'index.js': "throw new Error('the daemon side is never imported by the CLI');\n",
      'explode.js': "throw new Error('imported only to run');\n",
    },
    clash: {
      'plugin.json': JSON.stringify({ id: 'clash', version: '1.0.0', commands: { version: { summary: 'shadowed', file: 'v.js' } } }),
      'v.js': "throw new Error('never imported');\n",
    },
  });
  const env2 = { ...env, DOCKERSNAP_PLUGIN_DIR: dir2, DOCKERSNAP_PLUGIN_CACHE: join(dir, 'cli-cache-2') };
  const help = await runCli(['--help'], env2);
  ok(t, help, '--help with a plugin whose code throws');
  t.match(help.stdout, /explode\s+Fails when imported \(plugin lazy\)/, 'listed from the manifest alone');
  t.match(help.stderr, /^Warning: plugin "clash" command "version" is shadowed by the core command of that name; ignoring it$/m);
  const version = await runCli(['version'], env2);
  ok(t, version, 'the core version command');
  t.match(version.stdout, /^CLI: /);
  const explode = await runCli(['explode'], env2);
  t.equal(explode.code, 9, 'a plugin error');
  t.match(explode.stderr, /plugin "lazy" command "explode" .* failed to load: imported only to run \[DS_ERR_PLUGIN_LOAD\]/);
  const shared = join(dir, 'shared-cache');
  mkdirSync(shared);
  chmodSync(shared, 0o777);
  const refused = await runCli(['explode'], { ...env2, DOCKERSNAP_PLUGIN_CACHE: shared });
  t.match(refused.stderr, /refusing to load plugin commands from .*shared-cache.*\[DS_ERR_PLUGIN_LOAD\]/, 'a world-writable cache is refused');
});

t.test('serve stops gracefully on SIGTERM', async (t) => {
  t.equal(await daemon.stop(), 0, 'exit code 0');
  t.match(daemon.output(), /"msg":"shutting down"[\s\S]*"msg":"stopped"/);
});
