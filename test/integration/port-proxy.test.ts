// The port-proxy plugin on a real kernel: builtin plugins, a btrfs loop pool, real namespaces
// and dockerds. Every forward is checked by fetching through 127.0.0.1:<host port>.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { portProxyCapability, linkAddresses, type InstancePorts, type PortProxy } from '../../plugin-sdk/index.js';
import { buildBusyboxImage, runTestContainer, startTestKernel, type TestKernel } from '../../plugin-sdk/testing/index.js';
import { TEST_IMAGE } from '../../plugin-sdk/testing/images.js';
import type { Operation } from '../../kernel/lifecycle/operation.js';
import { netnsNames } from '../../builtin-plugins/netns/names.js';
import { dnatRule } from '../../builtin-plugins/port-proxy/loopback-dnat.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { forceRemoveCgroup, forceRemoveNetns, hostSkip, killPids, processesWith, refused, tempDir, waitFor } from '../helpers/host.js';
import { cleanupDir } from '../helpers/pools.js';

const skip = hostSkip(['dockerd', 'nsenter', 'ip', 'iptables', 'busybox', 'mkfs.btrfs', 'btrfs', 'socat']);
const SRC = `${RUN_PREFIX}-pp`;
const CLONE = `${RUN_PREFIX}-ppc`;

/** A port nothing on the host listens on right now (127.0.0.1). */
async function freeHostPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET http://127.0.0.1:<port>/f through the proxy, or undefined while nothing answers. */
async function viaProxy(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/f`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? (await res.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** GET http://<nsIp>:<port>/f straight into the namespace (no proxy), or undefined. */
async function direct(ip: string, port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${ip}:${port}/f`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? (await res.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

async function run<R>(op: Operation<R>): Promise<R> {
  return op.result;
}

/** One kernel, one pool and one source instance for the whole file; everything removed at the end. */
async function world(t: Test) {
  const tmp = await tempDir('pproxy');
  let tk: TestKernel | undefined;
  t.teardown(async () => {
    if (tk) {
      for (const name of [CLONE, SRC]) await Promise.resolve().then(() => tk!.kernel.instances.delete(name).result).catch(() => undefined);
      await tk.close();
    }
    // Last resort when a delete failed half-way: dockerds and shims, cgroups, namespaces, mounts.
    killPids(processesWith(tmp.path).map((p) => p.pid));
    for (const name of [SRC, CLONE]) {
      forceRemoveCgroup(`dockersnap-${name}`);
      const n = netnsNames(name);
      forceRemoveNetns(n.ns, [n.hostVeth, n.tempPeer], n.comment);
    }
    await cleanupDir(tmp.path);
  });
  tk = await startTestKernel({
    builtins: true,
    settings: {
      data_dir: join(tmp.path, 'data'),
      run_dir: join(tmp.path, 'run'),
      capabilities: { storage: 'storage-btrfs' },
      network: { base_offset: '10.231.0.0' },
      btrfs: { pool_size: '1G' },
      plugins: {
        disabled: ['storage-zfs'],
        hook_timeout: '30s',
        setup_timeout: '30s',
        config: { netns: { etc_netns_dir: join(tmp.path, 'etc-netns') }, dockerd: { container_stop_timeout: '2s' } },
      },
    },
  });
  const kernel = tk.kernel;
  const status = kernel.plugins().map((p) => `${p.id}:${p.status}${p.reason ? ` (${p.reason})` : ''}`);
  t.ok(kernel.plugins().some((p) => p.id === 'port-proxy' && p.status === 'ok'), `port-proxy is ok: ${status.join(', ')}`);
  const lease = kernel.acquire();
  const proxy: PortProxy = lease.capabilities.get(portProxyCapability);
  lease.release();
  return { kernel, proxy, tmp: tmp.path };
}

/** The table's single mapping labelled `label`, or undefined. */
function mapping(ports: InstancePorts, label: string) {
  return ports.ports.find((p) => p.description === label);
}
const label = (id: string, port = 8080) => `container:${id.slice(0, 12)}/${port}/tcp`;

t.test('port proxy on a real kernel', { skip }, async (t) => {
  const { kernel, proxy } = await world(t);
  const rec = await run(kernel.instances.create({ name: SRC }));
  const nsIp = linkAddresses(rec.subnet).nsIp;
  const docker = new Docker({ socketPath: rec.socket });
  await buildBusyboxImage(docker);
  t.same(proxy.list(SRC), { instance: SRC, target_ip: nsIp, ports: [] }, 'a fresh instance has no forwards, and says so with ports: []');

  const P1 = await freeHostPort();
  let webId = '';

  await t.test('a published port appears through Docker events and answers on 127.0.0.1', async (t) => {
    const started = performance.now();
    webId = await runTestContainer(docker, { name: 'web', port: P1, value: 'v1' });
    const afterStart = performance.now();
    const m = await waitFor(() => mapping(proxy.list(SRC), label(webId)), 'the forward of web (no refresh called)', 15_000, 20);
    t.comment(`container start → forward via events: ${(performance.now() - afterStart).toFixed(0)} ms after start() returned (${(performance.now() - started).toFixed(0)} ms incl. create)`);
    t.same(m, { host_port: P1, container_port: P1, in_container_port: 8080, protocol: 'tcp', description: label(webId) }, 'host port = published port; label names the container');
    t.equal(await waitFor(() => viaProxy(P1), `http://127.0.0.1:${P1}/f`), 'v1');
    const refreshed = await proxy.refresh(SRC);
    t.same(refreshed, { instance: SRC, target_ip: nsIp, ports: [m] }, 'refresh drops and rescans to the same table');
    t.equal(await viaProxy(P1), 'v1', 'reachable after the refresh');
  });

  const P2 = await freeHostPort();
  let loopId = '';
  await t.test('a loopback-bound publish: DNAT in the namespace, nsenter + socat when that is gone', async (t) => {
    const c = await docker.createContainer({
      name: 'loop',
      Image: TEST_IMAGE,
      Cmd: ['sh', '-c', "mkdir -p /www; [ -f /www/f ] || echo lo > /www/f; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait $!"],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(P2) }] } },
    });
    await c.start();
    loopId = c.id;
    const m = await waitFor(() => mapping(proxy.list(SRC), label(loopId)), 'the forward of the loopback-bound container', 15_000, 20);
    t.equal(m.host_port, P2);
    t.equal(await waitFor(() => viaProxy(P2), 'the loopback-bound port through the proxy'), 'lo', 'reached through the proxy');
    t.equal(await direct(nsIp, P2), 'lo', 'the namespace DNAT rule makes nsIp:P answer for the loopback publisher');
    const ns = `--net=/run/netns/${netnsNames(SRC).ns}`;
    execFileSync('nsenter', [ns, '--', 'iptables', '-w', '5', '-t', 'nat', '-D', ...dnatRule(nsIp, P2)]);
    t.equal(await direct(nsIp, P2), undefined, 'without the rule nsIp:P does not answer');
    t.equal(await viaProxy(P2), 'lo', 'yet the proxy still reaches it: the nsenter + socat fallback');
    t.equal(await viaProxy(P1), 'v1', 'the 0.0.0.0 publish is unaffected');
  });

  await t.test('revert: forwards point at the restored containers; postRollback rescans', async (t) => {
    const before = proxy.list(SRC);
    await run(kernel.instances.snapshot(SRC, 'golden'));
    t.same(await waitFor(() => (proxy.list(SRC).ports.length === 2 ? proxy.list(SRC) : undefined), 'both forwards after the snapshot'), before, 'the snapshot restarts dockerd; the same forwards come back');
    execFileSync('docker', ['-H', `unix://${rec.socket}`, 'exec', 'web', 'sh', '-c', 'echo v2 > /www/f']);
    await docker.getContainer(loopId).remove({ force: true });
    const P3 = await freeHostPort();
    const extraId = await runTestContainer(docker, { name: 'extra', port: P3, value: 'x' });
    await waitFor(() => mapping(proxy.list(SRC), label(extraId)) && !mapping(proxy.list(SRC), label(loopId)), 'extra forwarded, loop gone (start/die events)', 15_000, 20);
    t.equal(await viaProxy(P1), 'v2');

    const op = kernel.instances.revert(SRC, 'golden');
    await op.result;
    const after = proxy.list(SRC);
    t.same(after, before, 'the same labels and host ports as at snapshot time');
    t.notOk(mapping(after, label(extraId)), 'the container made after the snapshot is not forwarded');
    t.ok(await refused(P3), 'its listener is closed');
    t.equal(await waitFor(() => viaProxy(P1), 'web after the revert'), 'v1', 'the snapshot brought v1 back, through the proxy');
    t.equal(await waitFor(() => viaProxy(P2), 'loop after the revert'), 'lo', 'the restored loopback-bound container answers (DNAT added again)');
    const fromHook = op.history.find((e) => e.step === 'port_forwarding');
    t.ok(fromHook, 'postRollback reported the forwards');
    const said = fromHook?.message ?? '';
    t.ok(said.startsWith('After revert to "golden" forwarding '), said);
    t.ok(said.includes(`${nsIp}:${P1} on host port ${P1} (${label(webId)})`), 'names web with its port');
    t.ok(said.includes(`${nsIp}:${P2} on host port ${P2} (${label(loopId)})`), 'names loop with its port');
    t.notOk(said.includes(label(extraId)), 'and not the container made after the snapshot');
  });

  await t.test('stop closes the listeners; start opens them again', async (t) => {
    await run(kernel.instances.stop(SRC));
    t.same(proxy.list(SRC), { instance: SRC, target_ip: '', ports: [] });
    t.ok(await refused(P1), `nothing listens on ${P1}`);
    t.ok(await refused(P2), `nothing listens on ${P2}`);
    await proxy.drop(SRC);
    await proxy.drop(SRC);
    t.pass('drop is idempotent');
    t.same((await proxy.refresh(SRC)).ports, [], 'a refresh while dockerd is down finds nothing, quietly');
    await proxy.drop(SRC);
    await run(kernel.instances.start(SRC));
    t.ok(mapping(await waitFor(() => (proxy.list(SRC).ports.length === 2 ? proxy.list(SRC) : undefined), 'both forwards after start'), label(webId)));
    t.equal(await waitFor(() => viaProxy(P1), 'web after start'), 'v1');
  });

  await t.test('a clone gets its own host ports; source and clone answer at once', async (t) => {
    const clone = await run(kernel.instances.clone(SRC, 'golden', CLONE));
    const cports = await waitFor(() => (proxy.list(CLONE).ports.length === 2 ? proxy.list(CLONE) : undefined), 'the clone forwards', 20_000);
    t.equal(cports.target_ip, linkAddresses(clone.subnet).nsIp);
    t.not(cports.target_ip, nsIp);
    const web = mapping(cports, label(webId));
    t.ok(web, 'the clone inherits the container ids, so the labels');
    t.not(web!.host_port, P1, 'but not the host port');
    t.not(web!.container_port, P1, 'Docker picked a new published port in the clone');
    t.equal(await waitFor(() => viaProxy(web!.host_port), 'the clone through its forward'), 'v1', 'the clone serves the snapshot');
    t.equal(await viaProxy(P1), 'v1', 'the source still answers on its own port');
    await run(kernel.instances.delete(CLONE));
    t.same(proxy.list(CLONE).ports, [], 'delete drops the clone forwards');
    t.ok(await refused(web!.host_port));
  });

  await t.test('host port collision: listen on a kernel-chosen port, record requested_host_port', async (t) => {
    const P4 = await freeHostPort();
    const squatter: Server = createServer((s) => s.end('squatter\n'));
    await new Promise<void>((resolve) => squatter.listen(P4, '127.0.0.1', resolve));
    t.teardown(() => new Promise((resolve) => squatter.close(resolve)));
    const id = await runTestContainer(docker, { name: 'busy', port: P4, value: 'b' });
    const m = await waitFor(() => mapping(proxy.list(SRC), label(id)), 'the forward of the colliding port', 15_000, 20);
    t.not(m.host_port, P4);
    t.match(m, { container_port: P4, requested_host_port: P4, in_container_port: 8080 });
    t.equal(await waitFor(() => viaProxy(m.host_port), 'the colliding container through its fallback port'), 'b');
  });

  await t.test('events: a container started later is forwarded without refresh; a dead one is removed', async (t) => {
    const timings: number[] = [];
    for (const name of ['ev1', 'ev2', 'ev3']) {
      const port = await freeHostPort();
      const t0 = performance.now();
      const id = await runTestContainer(docker, { name, port, value: name });
      const t1 = performance.now();
      await waitFor(() => mapping(proxy.list(SRC), label(id)), `the forward of ${name}`, 15_000, 10);
      timings.push(performance.now() - t1);
      t.comment(`${name}: create+start ${(t1 - t0).toFixed(0)} ms, start → forward ${(performance.now() - t1).toFixed(0)} ms`);
      t.equal(await waitFor(() => viaProxy(port), name), name);
      await docker.getContainer(id).stop({ t: 1 });
      await waitFor(() => !mapping(proxy.list(SRC), label(id)), `${name}'s forward removed after die`, 15_000, 10);
      t.ok(await refused(port), `${name}'s listener is closed`);
    }
    t.comment(`start → forward via events, median ${timings.sort((a, b) => a - b)[1]!.toFixed(0)} ms (debounce 500 ms)`);
  });

  await t.test('dockerd killed and restarted by its supervisor: the event stream comes back', async (t) => {
    const pid = Number(execFileSync('cat', [rec.pid_file], { encoding: 'utf8' }).trim());
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => {
      try {
        await new Docker({ socketPath: rec.socket, timeout: 1000 }).ping();
        return Number(execFileSync('cat', [rec.pid_file], { encoding: 'utf8' }).trim()) !== pid;
      } catch {
        return false;
      }
    }, 'dockerd restarted by the supervisor', 30_000, 100);
    const port = await freeHostPort();
    const id = await runTestContainer(docker, { name: 'after-crash', port, value: 'ac' });
    await waitFor(() => mapping(proxy.list(SRC), label(id)), 'a forward from the reconnected event stream', 20_000, 20);
    t.equal(await waitFor(() => viaProxy(port), 'after-crash'), 'ac');
  });
});
