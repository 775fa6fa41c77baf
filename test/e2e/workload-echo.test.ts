import t from 'tap';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, type CliResult, requireBuild, runCli, serveForTest, writeDaemonConfig } from '../helpers/daemon.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { hostSkip, waitFor } from '../helpers/host.js';
import { httpGet } from '../../plugin-sdk/host/http-get.js';

/**
 * The builtin echo workload through the CLI against a real `dockersnap serve` (btrfs loop pool,
 * netns, dockerd; the image is built from the host's busybox, nothing is pulled):
 * create --plugin echo → the access URL answers → snapshot → remove the container → revert →
 * the same container answers again and is healthy without a redeploy → a clone answers too →
 * delete. Subnets 10.253.0.0/16 onwards (two instances).
 */

const skip = hostSkip(['dockerd', 'btrfs', 'mkfs.btrfs', 'losetup', 'ip', 'iptables', 'nsenter', 'busybox']);

interface Health {
  healthy: boolean;
  checks?: Array<{ name: string; ok: boolean; message?: string }>;
}

t.test('echo workload: create → access URL answers → snapshot → revert → answers again', { skip, timeout: 900_000 }, async (t) => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-e2e-echo-`));
  mkdirSync(join(dir, 'home'));
  const config = writeDaemonConfig(dir, { network: { base_offset: '10.253.0.0' } });
  const daemon = await serveForTest(t, dir, config);

  const env = cleanEnv({ HOME: join(dir, 'home'), DOCKERSNAP_REMOTE: daemon.url });
  const name = `${RUN_PREFIX}-echo`;
  const text = `echo says ${name}`;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env, 300_000);
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(...args);
    t.equal(r.code, 0, `${args.join(' ')}${r.code === 0 ? '' : ` → ${r.stderr}`}`);
    if (r.code !== 0) throw new Error(`dockersnap ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  /** The access bundle's ECHO_URL, once the port proxy forwards the echo port. */
  const echoUrl = () => waitFor(async () => (JSON.parse(await ok('access', name, '-o', 'json')) as { env: Record<string, string> }).env['ECHO_URL'], 'ECHO_URL in the access bundle', 120_000, 500);
  /** The URL's reply body, once it answers at all. */
  const answer = (url: string) => waitFor(() => httpGet(url, 5_000).then((r) => r.body, () => undefined), `${url} to answer`, 60_000, 200);
  const health = async (): Promise<Health> => JSON.parse(await ok('workload', 'health', name, '--fresh', '-o', 'json')) as Health;
  const echoContainers = async () => (await ok('docker', name, '--', 'ps', '-a', '-q', '--no-trunc', '--filter', 'label=dockersnap.plugin=echo')).split('\n').filter(Boolean);

  t.match(JSON.parse(await ok('workload', 'schema', 'echo', '-o', 'json')), { name: 'echo', version: '0.1.0', supported_contract_versions: ['1'], config_options: [{ name: 'image', default: 'dockersnap/echo:busybox' }, { name: 'text' }, { name: 'port', default: 5678 }] }, 'the type is listed with its options');
  const created = await ok('create', name, '--plugin', 'echo', '--config', 'text=echo says {{ instance_name }}');
  t.match(created, /echo container running, listening on container port 5678/, 'deploy progress is shown');
  const [id, ...more] = await echoContainers();
  t.ok(id, 'one echo container');
  t.same(more, [], 'only one');

  const url = await echoUrl();
  t.match(url, /^http:\/\/[\d.]+:\d+$/, 'ECHO_URL with host and port resolved');
  t.equal(await answer(url), `${text}\n`, 'the URL answers the configured text');
  t.equal((await httpGet(`${url}/any/path`, 5_000)).body, `${text}\n`, 'on every path');
  const before = await health();
  t.match(before, { workload_plugin: 'echo', healthy: true }, 'healthy');
  t.same(before.checks, [
    { name: 'container-lookup', ok: true, message: `id ${id!.slice(0, 12)}` },
    { name: 'container-state', ok: true, message: 'running' },
    { name: 'http', ok: true, message: before.checks?.[2]?.message },
  ]);
  t.match(before.checks?.[2]?.message, /^GET http:\/\/10\.25[3-5]\.\d+\.\d+:\d+\/ answered the configured text$/, 'probed at the namespace address');
  t.match(JSON.parse(await ok('workload', 'describe', name, '-o', 'json')), { workload_type: 'echo', status: 'running', config: { text, port: 5678, image: 'dockersnap/echo:busybox' }, details: { container_id: id } });

  await ok('snapshot', name, 'golden');
  const afterSnapshot = await waitFor(async () => {
    const h = await health();
    return h.healthy ? h : undefined;
  }, 'the workload to be healthy after the snapshot (dockerd stopped and started)', 60_000, 500);
  t.match(afterSnapshot.checks, [{ message: `id ${id!.slice(0, 12)}` }], 'the same container runs again after the snapshot');
  await ok('docker', name, '--', 'rm', '-f', id!);
  t.same(await echoContainers(), [], 'the container is gone');
  t.match(await health(), { healthy: false, checks: [{ name: 'container-lookup', ok: false, message: 'no echo container found' }] }, 'unhealthy without it');

  t.match(await ok('revert', name, 'golden'), /Reverted to "golden" successfully/);
  t.same(await echoContainers(), [id], 'the revert brought back the same container (no redeploy)');
  const after = await echoUrl();
  t.equal(await answer(after), `${text}\n`, 'the URL answers again');
  const healed = await waitFor(async () => {
    const h = await health();
    return h.healthy ? h : undefined;
  }, 'the workload to be healthy after the revert', 60_000, 500);
  t.match(healed.checks, [{ name: 'container-lookup', message: `id ${id!.slice(0, 12)}` }, { name: 'container-state', ok: true }, { name: 'http', ok: true }]);

  // A clone carries the source's container (and its instance label): lookups by the plugin
  // label alone find it, so the clone's access URL and health work without a deploy.
  const clone = `${name}-c`;
  await ok('clone', name, 'golden', clone);
  const cloneUrl = await waitFor(async () => (JSON.parse(await ok('access', clone, '-o', 'json')) as { env: Record<string, string> }).env['ECHO_URL'], 'ECHO_URL of the clone', 120_000, 500);
  t.not(cloneUrl, after, 'the clone has its own forward');
  t.equal(await answer(cloneUrl), `${text}\n`, "the clone's URL answers");
  t.match(JSON.parse(await ok('workload', 'health', clone, '--fresh', '-o', 'json')), { healthy: true }, 'the clone is healthy');
  await ok('delete', clone);

  await ok('delete', name);
  t.equal((await cli('status', name)).code, 3, 'deleted');
});
