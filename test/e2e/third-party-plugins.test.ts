import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginInfo } from '../../plugin-sdk/client/index.js';
import { busyboxArchive } from '../../plugin-sdk/host/images.js';
import { cleanEnv, type CliResult, requireBuild, runCli, serveForTest, writeDaemonConfig } from '../helpers/daemon.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { hostSkip, netnsList, pidAlive } from '../helpers/host.js';
import { EXAMPLES, installExample } from '../../fixtures/plugins/examples/install.mjs';

/**
 * The third-party example plugins (fixtures/plugins/examples) against a real `dockersnap serve`
 * (real builtins: btrfs loop pool, netns, dockerd; every path in a temp dir; network base
 * 10.30.0.0, one instance at a time so only 10.30.0.0/16 is used). The plugin dir starts empty;
 * the examples are installed the way an operator would, picked up by `plugin reload` without a
 * restart, listed with their kind, described, and used: the in-process one's CLI command and
 * route, and a real instance created with each workload (the busybox image comes from a
 * `docker save` tarball via `image_archive`, the plugins never pull). Removing a plugin file
 * and reloading makes it disappear.
 */

const skip = hostSkip(['dockerd', 'docker', 'btrfs', 'mkfs.btrfs', 'losetup', 'ip', 'iptables', 'nsenter', 'bash', 'jq']);
const IMAGE = 'dockersnap/busybox:example';
const EXAMPLE_NAMES: string[] = EXAMPLES;

function ok(t: Test, r: CliResult, what: string): void {
  t.equal(r.code, 0, `${what} exits 0${r.code === 0 ? '' : `: ${r.stderr}`}`);
}

/** The `plugin list` row of one plugin: [name, status, version, source, kind, description]. */
function row(listing: string, name: string): string[] | undefined {
  return listing
    .split('\n')
    .find((l) => l.startsWith(`${name} `))
    ?.split(/ {2,}/);
}

t.test('third-party example plugins: reload without restart, list, describe, use, remove', { skip, timeout: 900_000 }, async (t) => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-e2e-3p-`));
  const pluginDir = join(dir, 'plugins');
  mkdirSync(pluginDir);
  const config = writeDaemonConfig(dir, { network: { base_offset: '10.30.0.0' }, plugins: { dir: pluginDir, config: { 'inproc-ts': { greeting: 'howdy' } } } });
  const daemon = await serveForTest(t, dir, config);
  const env = cleanEnv({ DOCKERSNAP_REMOTE: daemon.url, DOCKERSNAP_PLUGIN_DIR: pluginDir, DOCKERSNAP_PLUGIN_CACHE: join(dir, 'cli-cache') });
  const cli = (...args: string[]) => runCli(args, env, 300_000);
  const listJson = async (t: Test): Promise<PluginInfo[]> => {
    const r = await cli('plugin', 'list', '-o', 'json');
    ok(t, r, 'plugin list -o json');
    return JSON.parse(r.stdout) as PluginInfo[];
  };

  await t.test('an empty plugin dir: only builtins', async (t) => {
    const list = await cli('plugin', 'list');
    ok(t, list, 'plugin list');
    t.match(list.stdout, /^NAME\s+STATUS\s+VERSION\s+SOURCE\s+KIND\s+DESCRIPTION$/m);
    const plugins = await listJson(t);
    t.ok(plugins.some((p) => p.source === 'builtin'), 'the builtins are listed');
    // Builtins and the workload types they provide (kind "workload", named by the type).
    t.same(plugins.filter((p) => p.source !== 'builtin' && p.kind !== 'workload'), [], 'nothing from the plugin dir');
    for (const name of EXAMPLE_NAMES) t.notOk(row(list.stdout, name), `${name} is not listed yet`);
    const greet = await cli('greet', 'bob');
    t.equal(greet.code, 2, 'no greet command yet');
  });

  await t.test('copy the examples in, reload: all listed with their kind, same daemon', async (t) => {
    for (const name of EXAMPLE_NAMES) await installExample(pluginDir, name);
    const reload = await cli('plugin', 'reload');
    ok(t, reload, 'plugin reload');
    for (const name of EXAMPLE_NAMES) t.match(reload.stdout, new RegExp(`^ {2}${name}\\s+ok {2}1\\.0\\.0$`, 'm'), `reload reports ${name} ok`);
    t.equal(reload.stdout.split('\n').filter((l) => l.startsWith('  inproc-ts ')).length, 1, 'the in-process plugin and its workload type are one line');
    t.ok(pidAlive(daemon.pid), 'the daemon process is the one started at the beginning');
    t.equal(daemon.output().split('"msg":"dockersnap daemon listening"').length - 1, 1, 'it started listening once: no restart');

    const list = await cli('plugin', 'list');
    ok(t, list, 'plugin list');
    t.same(row(list.stdout, 'bash-exec'), ['bash-exec', 'ok', '1.0.0', 'dir', 'exec', 'Example (bash): a busybox httpd container serving a greeting']);
    t.same(row(list.stdout, 'ts-sdk-exec'), ['ts-sdk-exec', 'ok', '1.0.0', 'dir', 'exec', 'Example (TypeScript SDK): a busybox httpd container serving a greeting']);
    t.match(row(list.stdout, 'inproc-ts'), ['inproc-ts', 'ok', '1.0.0', 'dir', 'in-process workload', /^Example \(in-process, TypeScript\)/]);
    t.match(row(list.stdout, 'storage-btrfs'), ['storage-btrfs', 'ok', String, 'builtin', 'in-process'], 'builtins keep their row');

    t.equal(list.stdout.split('\n').filter((l) => l.startsWith('inproc-ts ')).length, 1, 'the in-process plugin and its workload type are one row');
    const plugins = await listJson(t);
    const named = (name: string) => plugins.filter((p) => p.name === name);
    t.match(named('bash-exec'), [{ status: 'ready', kind: 'exec', version: '1.0.0', supported_contract_versions: ['1'], binary_digest: /^[0-9a-f]{64}$/ }]);
    t.match(named('ts-sdk-exec'), [{ status: 'ready', kind: 'exec', version: '1.0.0' }]);
    t.match(named('inproc-ts'), [
      { status: 'ready', state: 'ok', kind: 'kernel', source: 'dir', provides: ['workload'], requires: ['state'], commands: ['greet'] },
      { status: 'ready', kind: 'workload', version: '1.0.0', config_options: Array },
    ], 'JSON: the plugin and the workload type it provides');
  });

  await t.test('plugin describe and workload schema, both kinds', async (t) => {
    const describe = await cli('plugin', 'describe', 'bash-exec');
    ok(t, describe, 'plugin describe bash-exec');
    const info = JSON.parse(describe.stdout) as PluginInfo;
    t.match(info, { name: 'bash-exec', status: 'ready', kind: 'exec', config_options: [{ name: 'message', type: 'string', default: 'hello from {{ instance_name }}' }, { name: 'port', type: 'int', default: 8080 }, { name: 'image' }, { name: 'image_archive', type: 'path' }] });
    t.same(JSON.parse((await cli('plugin', 'describe', 'bash-exec', '--json')).stdout), info, '--json prints the same document');
    const inproc = await cli('plugin', 'describe', 'inproc-ts', '-o', 'json');
    ok(t, inproc, 'plugin describe inproc-ts');
    t.match(JSON.parse(inproc.stdout), { name: 'inproc-ts', kind: 'kernel', provides: ['workload'], hooks: ['workloadDeployed'], commands: ['greet'] });

    for (const name of ['bash-exec', 'ts-sdk-exec']) {
      const schema = await cli('workload', 'schema', name);
      ok(t, schema, `workload schema ${name}`);
      t.same(
        (JSON.parse(schema.stdout) as { config_options: Array<{ name: string }> }).config_options.map((o) => o.name),
        ['message', 'port', 'image', 'image_archive'],
        `${name}: its config options`,
      );
      t.match(JSON.parse(schema.stdout), { name, version: '1.0.0', supported_contract_versions: ['1'] });
    }
    const inprocSchema = await cli('workload', 'schema', 'inproc-ts', '-o', 'json');
    ok(t, inprocSchema, 'workload schema inproc-ts');
    t.match(JSON.parse(inprocSchema.stdout), { name: 'inproc-ts', config_options: [{ name: 'message' }, { name: 'port' }, { name: 'image' }, { name: 'image_archive' }] }, 'the in-process workload shows its schema too');
    const noWorkload = await cli('workload', 'schema', 'storage-btrfs');
    t.equal(noWorkload.code, 3, 'a plugin that provides no workload');
    t.match(noWorkload.stderr, /^Error: workload schema: plugin "storage-btrfs" provides no workload type; .*\[DS_ERR_PLUGIN_NOT_FOUND\]$/m);
  });

  await t.test("the in-process plugin's CLI command calls its route", async (t) => {
    const greet = await cli('greet', 'bob');
    ok(t, greet, 'greet bob');
    t.equal(greet.stdout, 'howdy bob\nNo instances run the inproc-ts workload.\n', 'plugins.config.inproc-ts.greeting reached the route');
    const json = await cli('greet', 'alice', '--json');
    t.same(JSON.parse(json.stdout), { text: 'howdy alice', plugin: 'inproc-ts', instances: [] });
    const help = await cli('--help');
    t.match(help.stdout, /greet\s+Greets NAME through the inproc-ts plugin's API route \(plugin inproc-ts\)/);
  });

  const archive = join(dir, 'busybox.tar');
  writeFileSync(archive, await busyboxArchive(IMAGE));
  const configFile = join(dir, 'web.yaml');
  writeFileSync(configFile, `image: ${IMAGE}\nimage_archive: ${archive}\nmessage: from the file\n`);

  for (const plugin of EXAMPLE_NAMES) {
    await t.test(`create --plugin ${plugin} on a real instance, describe, health, delete`, async (t) => {
      const name = `${RUN_PREFIX}-${plugin.slice(0, 2)}`;
      const create = await cli('create', name, '--plugin', plugin, '--config', `message=hi from ${plugin}`, '--config', 'port=8081', '--config-file', configFile);
      ok(t, create, `create ${name} --plugin ${plugin}`);
      t.match(create.stdout, /→ Starting .*-web on port 8081/, 'the plugin\'s progress is shown');
      t.match(create.stdout, new RegExp(`Instance "${name}" created successfully\\.[\\s\\S]*Workload: ${plugin}`));

      const logged = plugin === 'inproc-ts' ? 'inproc-ts workload deployed' : 'deployed';
      t.ok(
        daemon.output().split('\n').some((l) => l.includes(`"plugin":"${plugin}"`) && l.includes(`"msg":"${logged}"`)),
        "the plugin's structured log line reached the daemon's log",
      );
      const described = await cli('workload', 'describe', name, '-o', 'json');
      ok(t, described, 'workload describe');
      t.match(JSON.parse(described.stdout), { workload_type: plugin, status: 'running', ports: [{ label: 'web', container_port: 8081 }], config: { message: `hi from ${plugin}`, port: 8081, image: IMAGE } }, '--config wins over --config-file, which wins over the defaults');
      const text = await cli('workload', 'describe', name);
      t.same(JSON.parse(text.stdout), JSON.parse(described.stdout), 'the text output is the same JSON');

      const health = await cli('workload', 'health', name, '--fresh', '-o', 'json');
      ok(t, health, 'workload health --fresh');
      t.match(JSON.parse(health.stdout), { workload_plugin: plugin, healthy: true, checks: [{ name: 'container', ok: true }, { name: 'http', ok: true, message: `answers "hi from ${plugin}"` }] });
      const ps = await cli('docker', name, '--', 'ps', '--format', '{{.Names}} {{.Image}}');
      ok(t, ps, 'docker ps in the instance');
      t.equal(ps.stdout, `${plugin}-web ${IMAGE}\n`, 'the workload container runs in the instance');
      if (plugin === 'inproc-ts') t.match((await cli('greet', 'bob')).stdout, new RegExp(`Instances with the inproc-ts workload: ${name}\\n$`));

      const del = await cli('delete', name);
      ok(t, del, `delete ${name}`);
      const gone = await cli('workload', 'describe', name);
      t.equal(gone.code, 3, 'a deleted instance is not found');
      t.match(gone.stderr, /\[DS_ERR_NOT_FOUND\]$/m);
      t.notOk(netnsList().includes(`ds-${name}`), 'its namespace is gone');
    });
  }

  await t.test('error paths: unknown plugin, unknown instance, bad -o', async (t) => {
    const cases: Array<[string[], number, RegExp]> = [
      [['plugin', 'describe', 'nosuch'], 3, /^Error: plugin describe: plugin "nosuch" not found \[DS_ERR_PLUGIN_NOT_FOUND\]$/m],
      [['workload', 'schema', 'nosuch'], 3, /^Error: workload schema: plugin "nosuch" not found \[DS_ERR_PLUGIN_NOT_FOUND\]$/m],
      [['workload', 'describe', `${RUN_PREFIX}-none`], 3, /\[DS_ERR_NOT_FOUND\]$/m],
      [['workload', 'health', `${RUN_PREFIX}-none`], 3, /\[DS_ERR_NOT_FOUND\]$/m],
      [['plugin', 'list', '-o', 'yaml'], 2, /unknown -o format "yaml" \(want: text, json\) \[DS_ERR_INVALID_INPUT\]$/m],
      [['create', `${RUN_PREFIX}-np`, '--plugin', 'nosuch'], 3, /plugin "nosuch".*not found.*\[DS_ERR_PLUGIN_NOT_FOUND\]$/m],
      [['create', `${RUN_PREFIX}-nc`, '--config', 'a=b'], 2, /--plugin is required when --config or --config-file is set \[DS_ERR_INVALID_INPUT\]$/m],
    ];
    for (const [args, code, stderr] of cases) {
      const r = await cli(...args);
      t.equal(r.code, code, `${args.join(' ')} exits ${code}`);
      t.match(r.stderr, stderr, `${args.join(' ')}: the message and code`);
    }
    const json = await cli('plugin', 'describe', 'nosuch', '--json');
    t.equal(json.code, 3);
    t.match(JSON.parse(json.stdout), { code: 'DS_ERR_PLUGIN_NOT_FOUND' }, '--json puts the error envelope on stdout');
  });

  await t.test('remove an example, reload: gone from the list and unusable', async (t) => {
    rmSync(join(pluginDir, 'bash-exec'));
    rmSync(join(pluginDir, 'inproc-ts'), { recursive: true });
    const reload = await cli('plugin', 'reload');
    ok(t, reload, 'plugin reload');
    t.notMatch(reload.stdout, /bash-exec|inproc-ts/);
    const list = await cli('plugin', 'list');
    t.notOk(row(list.stdout, 'bash-exec'), 'bash-exec is gone');
    t.notOk(row(list.stdout, 'inproc-ts'), 'inproc-ts is gone');
    t.match(row(list.stdout, 'ts-sdk-exec'), ['ts-sdk-exec', 'ok'], 'the other exec example stays');
    const schema = await cli('workload', 'schema', 'bash-exec');
    t.equal(schema.code, 3);
    t.match(schema.stderr, /plugin "bash-exec" not found \[DS_ERR_PLUGIN_NOT_FOUND\]/);
    t.equal((await cli('greet', 'bob')).code, 2, 'the greet command is gone with its plugin');
    t.ok(pidAlive(daemon.pid), 'still the same daemon');
  });
});
