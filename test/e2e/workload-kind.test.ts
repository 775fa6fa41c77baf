import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet } from '../../plugin-sdk/host/http-get.js';
import { cleanEnv, type CliResult, requireBuild, runCli, serveForTest, writeDaemonConfig } from '../helpers/daemon.js';
import { ROOT, RUN_PREFIX } from '../helpers/fixtures.js';
import { hostSkip, waitFor } from '../helpers/host.js';

/**
 * The builtin kind workload through the CLI against a real `dockersnap serve` (btrfs loop pool,
 * netns, dockerd) with fixtures/fake-kind as the kind binary (this host has no kind and no node
 * image): create --plugin kind → healthy → the access kubeconfig's server answers /readyz through
 * the daemon's port proxy → snapshot → the API server is stopped (unhealthy) → revert → healthy
 * again with the same node container (no redeploy) → clone → the clone's kubernetes-api host port
 * differs and both answer → delete both (the clusters go with them).
 * Subnets 10.247.0.0/16 onwards (two instances).
 */

const skip = hostSkip(['dockerd', 'docker', 'btrfs', 'mkfs.btrfs', 'losetup', 'ip', 'iptables', 'nsenter', 'busybox', 'tar']);
const FAKE_KIND = join(ROOT, 'fixtures', 'fake-kind', 'kind');

/** Runs a file; resolves to its exit code and output, never rejects. */
function execFileP(file: string, args: string[], options: { env: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

interface Health {
  healthy: boolean;
  checks?: Array<{ name: string; ok: boolean; message?: string }>;
}

interface Access {
  env: Record<string, string>;
  files?: Array<{ name: string; content: string; mode?: string }>;
  endpoints?: Array<{ name: string; url?: string; scheme?: string }>;
}

t.test('kind workload (fake kind): create → healthy → kubeconfig answers → snapshot/revert → clone', { skip, timeout: 1_200_000 }, async (t) => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-e2e-kind-`));
  mkdirSync(join(dir, 'home'));
  const config = writeDaemonConfig(dir, { network: { base_offset: '10.247.0.0' }, plugins: { config: { 'workload-kind': { binary: FAKE_KIND, retry_delay: '1s' } } } });
  const daemon = await serveForTest(t, dir, config);

  const env = cleanEnv({ HOME: join(dir, 'home'), DOCKERSNAP_REMOTE: daemon.url });
  const a = `${RUN_PREFIX}-kind`;
  const b = `${a}-c`;
  const cli = (...args: string[]): Promise<CliResult> => runCli(args, env, 300_000);
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(...args);
    t.equal(r.code, 0, `${args.join(' ')}${r.code === 0 ? '' : ` → ${r.stderr}${r.stdout}`}`);
    return r.stdout;
  };
  const health = async (name: string): Promise<Health> => JSON.parse(await ok('workload', 'health', name, '--fresh', '-o', 'json')) as Health;
  const healthy = (name: string, what: string) =>
    waitFor(async () => {
      const r = await cli('workload', 'health', name, '--fresh', '-o', 'json');
      return r.code === 0 && (JSON.parse(r.stdout) as Health).healthy ? (JSON.parse(r.stdout) as Health) : undefined;
    }, what, 180_000, 500);
  /** The kubeconfig of `access`, its server URL, and what that URL answers on /readyz. */
  const kubeconfig = async (name: string) => {
    const access = JSON.parse(await ok('access', name, '-o', 'json')) as Access;
    const file = access.files?.find((f) => f.name === 'kubeconfig');
    const server = /^\s*server:\s*(\S+)$/m.exec(file?.content ?? '')?.[1];
    return { access, file, server, readyz: server ? await httpGet(`${server}/readyz`, 10_000, { insecureTls: true }).then((r) => ({ status: r.status, body: r.body.trim() })).catch((err: unknown) => ({ status: 0, body: String(err) })) : undefined };
  };
  /** The node container's id, through the instance's own dockerd. */
  const nodeId = async (name: string) => (await ok('docker', name, '--', 'ps', '--all', '--no-trunc', '--filter', 'label=io.x-k8s.kind.cluster', '--format', '{{.ID}} {{.Names}} {{.Status}}')).trim();

  const created = await ok('create', a, '--plugin', 'kind', '--config', 'wait_timeout=90s', '--config', 'extra_port_mappings=["0:8080"]');
  t.match(created, /creating_cluster|Creating kind cluster/, 'the deploy progress is shown');
  const first = await healthy(a, `${a} to be healthy after create`);
  t.match(first.checks, [{ name: 'api-server', ok: true, message: 'ok' }, { name: 'nodes', ok: true, message: `1 node(s): ${a}-control-plane` }]);
  const node = await nodeId(a);
  t.match(node, new RegExp(`^[0-9a-f]{64} ${a}-control-plane Up`), 'one node container, named like kind');
  const published = await ok('docker', a, '--', 'port', `${a}-control-plane`);
  t.match(published, /^6443\/tcp -> 127\.0\.0\.1:\d+$/m, 'the API server publishes on the namespace loopback');
  t.match(published, /^8080\/tcp -> 0\.0\.0\.0:\d+$/m, 'the generated config reached kind: the extra port mapping is published');
  t.match(JSON.parse(await ok('workload', 'describe', a, '-o', 'json')), { workload_plugin: 'kind', workload_type: 'kind', status: 'ready', details: { cluster: a, node_count: 1 } });

  // The fake answers like kind where the plugin relies on it (exit codes, stderr).
  const socket = (JSON.parse(await ok('status', a, '-o', 'json')) as { socket: string }).socket;
  const fake = (...args: string[]) => execFileP(FAKE_KIND, args, { env: { ...env, DOCKER_HOST: `unix://${socket}` } });
  t.same(await fake('get', 'clusters'), { code: 0, stdout: `${a}\n`, stderr: '' });
  t.match(await fake('create', 'cluster', '--name', a), { code: 1, stderr: /^ERROR: failed to create cluster: node\(s\) already exist for a cluster with the name "/ });
  t.match(await fake('get', 'kubeconfig', '--name', 'nope'), { code: 1, stdout: '', stderr: /^ERROR: could not locate any control plane nodes for cluster named 'nope'/ });
  t.match(await fake('get', 'nodes', '--name', 'nope'), { code: 0, stdout: '', stderr: /No kind nodes found for cluster "nope"/ });
  t.match(await fake('delete', 'cluster', '--name', 'nope'), { code: 0 });
  t.match(await fake('frobnicate'), { code: 1, stderr: /^ERROR: unknown command "frobnicate"/ });

  const ka = await kubeconfig(a);
  t.equal(ka.access.env['KUBECONFIG'], '${ACCESS_DIR}/kubeconfig');
  t.equal(ka.file?.mode, '0600');
  t.match(ka.server, /^http:\/\/127\.0\.0\.1:\d+$/, 'the server URL is the daemon forward (the fake serves plain http)');
  t.same(ka.readyz, { status: 200, body: 'ok' }, 'the kubeconfig server answers /readyz through the port proxy');
  t.match(ka.access.endpoints, [{ name: 'kubernetes-api', url: ka.server }]);

  await ok('snapshot', a, 'golden');
  t.ok((await health(a)).healthy, 'healthy after the snapshot (the cluster came back with the dockerd)');
  await ok('docker', a, '--', 'stop', `${a}-control-plane`);
  const down = await waitFor(async () => {
    const h = await health(a);
    return h.healthy ? undefined : h;
  }, 'the stopped API server to be reported', 60_000, 500);
  t.notOk(down.healthy, 'a stopped API server is unhealthy');
  t.match(await ok('revert', a, 'golden'), /Reverted to "golden"/);
  await healthy(a, `${a} to be healthy again after the revert`);
  t.equal(await nodeId(a).then((s) => s.split(' ')[0]), node.split(' ')[0], 'the same node container: nothing was redeployed');
  const kaAfter = await kubeconfig(a);
  t.same(kaAfter.readyz, { status: 200, body: 'ok' }, 'the kubeconfig answers again after the revert');

  t.match(await ok('clone', a, 'golden', b), /Clone ".*" created successfully/);
  await healthy(b, `the clone ${b} to be healthy`);
  const kb = await kubeconfig(b);
  const kaNow = await kubeconfig(a);
  t.match(kb.server, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.not(kb.server, kaNow.server, "the clone's kubernetes-api host port differs from the source's");
  t.same(kb.readyz, { status: 200, body: 'ok' }, 'the clone answers');
  t.same(kaNow.readyz, { status: 200, body: 'ok' }, 'the source still answers');
  t.match(JSON.parse(await ok('workload', 'describe', b, '-o', 'json')), { status: 'ready', details: { cluster: a, node_count: 1 } }, "the clone's cluster keeps the source's name");

  const deleted = await ok('delete', b);
  t.notMatch(deleted, /plugin_teardown|error/i, 'the clone tears its cluster down without errors');
  await ok('delete', a);
  t.same((JSON.parse(await ok('list', '--json')) as Array<{ name: string }>).filter((i) => i.name === a || i.name === b), [], 'both gone');
});
