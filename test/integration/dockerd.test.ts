import t from 'tap';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { dockerClient, pingOk } from '../../builtin-plugins/dockerd/docker-client.js';
import { buildBusyboxImage, runTestContainer, TEST_IMAGE } from '../../plugin-sdk/testing/images.js';
import { cgroupDirs, dockerdHarness, hostSkip, mountsUnder, pidAlive, processesWith, waitFor } from '../helpers/host.js';

const skip = hostSkip(['dockerd', 'nsenter', 'ip', 'iptables', 'busybox']);
const PORT = 18080;

/** GET http://<ip>:<port>/f, or undefined while nothing answers. */
async function fetchValue(ip: string, port = PORT): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${ip}:${port}/f`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? (await res.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Everything a stopped instance must not have left on the host. */
function leftovers(h: { sup: { paths(i: string): { execRoot: string; socket: string; pidFile: string } } }, instance: string, dataRoot: string) {
  const p = h.sup.paths(instance);
  return {
    processes: processesWith(p.execRoot).map((x) => x.cmdline),
    mountsUnderDataRoot: mountsUnder(dataRoot),
    mountsUnderExecRoot: mountsUnder(p.execRoot),
    socket: existsSync(p.socket),
    pidFile: existsSync(p.pidFile),
    cgroups: cgroupDirs(`dockersnap-${instance}`),
  };
}
const CLEAN = { processes: [], mountsUnderDataRoot: [], mountsUnderExecRoot: [], socket: false, pidFile: false, cgroups: [] };

t.test('cold start in a fresh namespace answers ping; daemon.json as specified', { skip }, async (t) => {
  const h = await dockerdHarness(t, { resolvFiles: [] });
  const spec = await h.instance('d1', 10);
  const t0 = performance.now();
  const info = await h.start(spec);
  t.comment(`dockerd cold start to ping: ${(performance.now() - t0).toFixed(0)} ms`);
  t.equal(info.socket, h.sup.socketPath(spec.instance));
  t.ok(await pingOk(info.socket), 'ping answers');
  t.ok(await h.sup.isRunning(spec.instance));
  t.equal(Number(readFileSync(h.sup.pidFile(spec.instance), 'utf8')), info.pid, 'pidfile names the daemon');
  t.equal(readlinkSync(`/proc/${info.pid}/ns/net`), readlinkSync(`/proc/${info.pid}/ns/net`));
  t.not(readlinkSync(`/proc/${info.pid}/ns/net`), readlinkSync('/proc/self/ns/net'), 'dockerd is not in the host namespace');

  const config = JSON.parse(readFileSync(h.sup.paths(spec.instance).configFile, 'utf8')) as Record<string, unknown>;
  t.match(config, {
    'data-root': spec.dataRoot,
    'exec-root': h.sup.paths(spec.instance).execRoot,
    pidfile: h.sup.pidFile(spec.instance),
    hosts: [`unix://${info.socket}`],
    'storage-driver': 'overlay2',
    'cgroup-parent': `/dockersnap-${spec.instance}`,
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
    dns: [spec.netns.hostIp],
    'log-driver': 'json-file',
    'log-opts': { 'max-file': '2', 'max-size': '10m' },
    iptables: true,
    'ip-masq': true,
    'live-restore': true,
  });

  const again = await h.sup.start(spec);
  t.equal(again.pid, info.pid, 'start of a running instance adopts it');
  await h.sup.stop(spec.instance);
  t.notOk(await h.sup.isRunning(spec.instance));
  t.notOk(pidAlive(info.pid));
  t.same(leftovers(h, spec.instance, spec.dataRoot), CLEAN);
  await h.sup.stop(spec.instance);
  t.pass('stop of a stopped instance is fine');
});

t.test('image without a registry, published port from the host, robust stop, restart policy', { skip }, async (t) => {
  const h = await dockerdHarness(t);
  const spec = await h.instance('d2', 11);
  const info = await h.start(spec);
  const docker = await dockerClient(info.socket);
  await buildBusyboxImage(docker);
  t.ok((await docker.listImages()).some((i) => i.RepoTags?.includes(TEST_IMAGE)), 'image loaded');
  await runTestContainer(docker, { name: 'web', port: PORT, restart: 'always' });
  t.equal(await waitFor(() => fetchValue(spec.netns.nsIp), `http://${spec.netns.nsIp}:${PORT}/f`), 'v1', 'reached from the host at nsIp:port');

  const events: string[] = [];
  await h.sup.stop(spec.instance, {
    onProgress: (m) => events.push(m),
    beforeDaemonStop: async () => {
      events.push(`preStop: running=${(await docker.listContainers()).length} daemon=${await pingOk(info.socket)}`);
    },
  });
  t.same(events, ['waiting up to 10s for 1 container: web', 'preStop: running=0 daemon=true', `stopping dockerd (pid ${info.pid})`, 'dockerd stopped']);
  t.same(leftovers(h, spec.instance, spec.dataRoot), CLEAN, 'no dockerd, shim, mount, socket or cgroup left');
  t.notOk(await fetchValue(spec.netns.nsIp));

  const again = await h.start(spec);
  t.not(again.pid, info.pid);
  t.equal(await waitFor(() => fetchValue(spec.netns.nsIp), 'the container after restart'), 'v1', 'the container came back by its restart policy');
  await h.sup.stop(spec.instance);
  t.same(leftovers(h, spec.instance, spec.dataRoot), CLEAN);
});

t.test('robust stop of three containers: TERM-trapping PID 1 vs one that ignores TERM', { skip }, async (t) => {
  const h = await dockerdHarness(t);
  const spec = await h.instance('d3', 12);
  // A long timeout where the containers must not wait for it (a loaded host cannot make a
  // prompt stop look slow), a short one where they must (a lower bound load cannot break).
  for (const trapTerm of [true, false]) {
    const timeoutSec = trapTerm ? 30 : 3;
    const info = await h.start(spec);
    const docker = await dockerClient(info.socket);
    if (trapTerm) await buildBusyboxImage(docker);
    for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
    const names = trapTerm ? ['web', 'db', 'cache'] : ['web2', 'db2', 'cache2'];
    for (const name of names) await runTestContainer(docker, { name, trapTerm });
    await waitFor(async () => (await docker.listContainers()).length === 3, 'three running containers');
    const events: string[] = [];
    const t0 = performance.now();
    await h.sup.stop(spec.instance, { containerTimeoutSec: timeoutSec, onProgress: (m) => events.push(m) });
    const ms = performance.now() - t0;
    t.comment(`robust stop, 3 containers, ${trapTerm ? 'PID 1 traps TERM' : 'PID 1 ignores TERM'}: ${ms.toFixed(0)} ms (container timeout ${timeoutSec}s)`);
    t.match(events[0], new RegExp(`^waiting up to ${timeoutSec}s for 3 containers: `));
    for (const name of names) t.match(events[0], name);
    if (trapTerm) t.ok(ms < timeoutSec * 1000, 'trapping containers do not wait for the timeout');
    else t.ok(ms >= timeoutSec * 1000, 'TERM-ignoring containers cost the whole timeout');
    t.same(leftovers(h, spec.instance, spec.dataRoot), CLEAN);
  }
});
