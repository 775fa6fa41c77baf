// The port proxy across a daemon restart, end to end: a real `dockersnap serve` (btrfs loop
// pool, namespaces, dockerds), an instance whose container publishes a port, reached on the
// host through the proxy; revert; then serve stops gracefully (the instance keeps running) and
// starts again on the same state: reconcile finds the dockerd alive (same pid, not restarted)
// and the same host port answers again; a clone gets its own host port. Subnets 10.236.0.0/16+.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { netnsNames } from '../../builtin-plugins/netns/names.js';
import { createClient, type DockersnapClient, type InstancePorts } from '../../plugin-sdk/client/index.js';
import { linkAddresses } from '../../plugin-sdk/index.js';
import { buildBusyboxImage, runTestContainer } from '../../plugin-sdk/testing/images.js';
import { cleanEnv, closedPort, type Daemon, requireBuild, startDaemon, writeDaemonConfig } from '../helpers/daemon.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { forceRemoveCgroup, forceRemoveNetns, hostSkip, killPids, pidAlive, processesWith, refused, tempDir, waitFor } from '../helpers/host.js';
import { cleanupDir } from '../helpers/pools.js';

const skip = hostSkip(['dockerd', 'docker', 'nsenter', 'ip', 'iptables', 'busybox', 'mkfs.btrfs', 'btrfs', 'losetup']);
const SRC = `${RUN_PREFIX}-ppr`;
const CLONE = `${RUN_PREFIX}-pprc`;

/** GET http://<host>:<port>/f, trimmed; undefined while nothing answers. */
async function get(host: string, port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${host}:${port}/f`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? (await res.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until GET /f answers `expected`; resolves to the last answer (asserted by the caller). */
async function answers(host: string, port: number, expected: string, ms = 60_000): Promise<string | undefined> {
  let last: string | undefined;
  await waitFor(async () => (last = await get(host, port)) === expected, `http://${host}:${port}/f = ${expected}`, ms, 200).catch(() => undefined);
  return last;
}

/** The forward of in-container port 8080, once the proxy table has one. */
function web8080(client: DockersnapClient, name: string): Promise<InstancePorts['ports'][number]> {
  return waitFor(async () => (await client.ports(name)).ports.find((p) => p.in_container_port === 8080), `the forward of ${name}'s web container`, 60_000, 200);
}

const dockerdPid = (pidFile: string): number => Number(readFileSync(pidFile, 'utf8').trim());

t.test('port proxy: published port on the host, after revert, across a serve restart, and on a clone', { skip, timeout: 900_000 }, async (t) => {
  requireBuild();
  const tmp = await tempDir('pp-restart');
  const dir = tmp.path;
  const config = writeDaemonConfig(dir, { network: { base_offset: '10.236.0.0' }, plugins: { disabled: ['storage-zfs'], config: { dockerd: { container_stop_timeout: '2s' } } } });
  const daemons: Daemon[] = [];
  t.teardown(async () => {
    const live = [...daemons].reverse().find((d) => pidAlive(d.pid));
    if (live) {
      const client = createClient({ remote: live.url, env: {}, owner: '' });
      for (const name of [CLONE, SRC]) await client.delete(name).catch(() => undefined);
    }
    // Stop every serve first (the last one releases the pool's mount and loop device), then
    // whatever a failed delete left: dockerds and shims, cgroups, namespaces.
    for (const d of [...daemons].reverse()) await d.stop();
    killPids(processesWith(dir).map((p) => p.pid));
    for (const name of [SRC, CLONE]) {
      forceRemoveCgroup(`dockersnap-${name}`);
      const n = netnsNames(name);
      forceRemoveNetns(n.ns, [n.hostVeth, n.tempPeer], n.comment);
    }
    await cleanupDir(dir);
  });

  const first = await startDaemon(config, cleanEnv());
  daemons.push(first);
  let client = createClient({ remote: first.url, env: {}, owner: '' });
  const rec = await client.create(SRC);
  const nsIp = linkAddresses(rec.subnet).nsIp;
  const docker = new Docker({ socketPath: rec.socket });
  await buildBusyboxImage(docker);
  const P = await closedPort();
  const webId = await runTestContainer(docker, { name: 'web', port: P, value: 'v1' });
  const label = `container:${webId.slice(0, 12)}/8080/tcp`;

  const fwd = await web8080(client, SRC);
  t.same(fwd, { host_port: P, container_port: P, in_container_port: 8080, protocol: 'tcp', description: label }, 'the published port is forwarded on the same host port, labelled by container');
  t.equal(await answers('127.0.0.1', P, 'v1'), 'v1', `reachable on the host at 127.0.0.1:${P}`);

  await client.snapshot(SRC, 'golden');
  execFileSync('docker', ['-H', `unix://${rec.socket}`, 'exec', 'web', 'sh', '-c', 'echo v2 > /www/f']);
  t.equal(await answers('127.0.0.1', P, 'v2'), 'v2', 'the change shows through the proxy');
  await client.revert(SRC, 'golden');
  t.equal(await answers('127.0.0.1', P, 'v1'), 'v1', 'after the revert: the snapshot value, on the same host port');
  t.same((await client.ports(SRC)).ports, [fwd], 'after the revert: the same label → port table');

  const pidBefore = dockerdPid(rec.pid_file);
  t.ok(pidAlive(pidBefore), `the instance's dockerd runs (pid ${pidBefore})`);
  process.kill(first.pid, 'SIGTERM');
  await waitFor(() => !pidAlive(first.pid), 'the first serve to exit after SIGTERM', 60_000, 100);
  t.ok(await refused(P), 'with serve gone, its proxy listener is gone');
  t.ok(pidAlive(pidBefore), 'the instance outlives the daemon (its dockerd still runs)');
  t.equal(await get(nsIp, P), 'v1', 'the container still answers inside the namespace');

  const second = await startDaemon(config, cleanEnv());
  daemons.push(second);
  t.match(second.output(), /"msg":"reconcile finished"/, 'the second serve reconciled before listening');
  client = createClient({ remote: second.url, env: {}, owner: '' });
  t.same(await web8080(client, SRC), fwd, 'the same label → host port mapping after the restart');
  t.equal(await answers('127.0.0.1', P, 'v1'), 'v1', `reachable again at 127.0.0.1:${P}`);
  t.equal(dockerdPid(rec.pid_file), pidBefore, 'reconcile did not restart the dockerd (same pid)');
  t.ok(pidAlive(pidBefore), 'and that pid is alive');
  t.match(await client.get(SRC), { status: 'running' });

  const clone = await client.clone(SRC, 'golden', CLONE);
  const cfwd = await web8080(client, CLONE);
  t.equal(cfwd.description, label, 'the clone keeps the container id, so the label');
  t.not(cfwd.host_port, P, 'but gets its own host port');
  t.equal(await answers('127.0.0.1', cfwd.host_port, 'v1'), 'v1', `the clone answers on 127.0.0.1:${cfwd.host_port}`);
  t.equal(await get('127.0.0.1', P), 'v1', 'the source still answers on its port');
  t.not(linkAddresses(clone.subnet).nsIp, nsIp, 'in its own namespace');

  await client.delete(CLONE);
  t.ok(await refused(cfwd.host_port), "delete closes the clone's listener");
  await client.delete(SRC);
  t.ok(await refused(P), "delete closes the source's listener");
  t.notOk(pidAlive(pidBefore), 'and its dockerd is gone');
});
