import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { dockerClient, pingOk } from '../../builtin-plugins/dockerd/docker-client.js';
import { HostDockerd } from '../../builtin-plugins/dockerd/host-dockerd.js';
import { createExec } from '../../kernel/exec.js';
import { silentLogger } from '../../kernel/logger.js';
import { buildBusyboxImage, runTestContainer } from '../../plugin-sdk/testing/images.js';
import { cgroupDirs, dockerdHarness, hostSkip, mountsUnder, pidAlive, processesWith, succeeds, waitFor } from '../helpers/host.js';

const skip = hostSkip(['dockerd', 'nsenter', 'ip', 'iptables', 'busybox']);
const PORT = 18081;

async function fetchValue(ip: string): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${ip}:${PORT}/f`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? (await res.text()).trim() : undefined;
  } catch {
    return undefined;
  }
}

/** Nothing of the instance's daemon runs, listens or is mounted. */
function nothingLeft(t: Test, h: Awaited<ReturnType<typeof dockerdHarness>>, instance: string, dataRoot: string): void {
  const p = h.sup.paths(instance);
  t.same(processesWith(p.execRoot), [], 'no containerd or shim');
  t.same(processesWith(p.configFile), [], 'no dockerd');
  t.same(mountsUnder(dataRoot), [], 'nothing mounted on or under the data root');
  t.same(mountsUnder(p.execRoot), [], 'nothing mounted under the exec-root');
  t.notOk(existsSync(p.socket), 'no socket');
  t.same(cgroupDirs(`dockersnap-${instance}`), [], 'no cgroups');
}

t.test('a dockerd that will not start: DS_ERR_DOCKERD with its log, nothing left running', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: false });
  const spec = await h.instance('f1', 20, 'nosuchdriver');
  const err = await h.sup.start(spec).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string; details?: { log?: string } },
  );
  t.equal(err?.code, 'DS_ERR_DOCKERD');
  t.match(err?.message, /did not start: dockerd exited before its API answered; last lines of .*\.log:\n/);
  t.match(err?.details?.log, /nosuchdriver/, 'the log excerpt names the cause');
  t.notOk(await h.sup.isRunning(spec.instance));
  nothingLeft(t, h, spec.instance, spec.dataRoot);
});

t.test('readiness deadline: the half-started daemon is killed and cleaned up', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: false, readyTimeoutMs: 1 });
  const spec = await h.instance('f2', 21);
  await t.rejects(h.sup.start(spec), { code: 'DS_ERR_DOCKERD', message: /did not answer within 0\.001s/ });
  t.notOk(await h.sup.isRunning(spec.instance));
  nothingLeft(t, h, spec.instance, spec.dataRoot);
});

t.test('start without its namespace fails before launching anything', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: false });
  const spec = await h.instance('f3', 22);
  await h.netns.teardown(spec);
  await t.rejects(h.sup.start(spec), { code: 'DS_ERR_DOCKERD', message: /network namespace .* does not exist/ });
  t.notOk(await h.sup.isRunning(spec.instance));
});

t.test('supervision: kill -9 dockerd and the watcher restarts it; containers live on', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: { intervalMs: 100, backoffMs: 50 } });
  const spec = await h.instance('f4', 23);
  const first = await h.start(spec);
  const docker = await dockerClient(first.socket);
  await buildBusyboxImage(docker);
  await runTestContainer(docker, { name: 'web', port: PORT, restart: 'always' });
  t.equal(await waitFor(() => fetchValue(spec.netns.nsIp), 'the container'), 'v1');

  process.kill(first.pid, 'SIGKILL');
  const t0 = performance.now();
  const pid = await waitFor(async () => {
    const now = h.sup.livePid(spec.instance);
    return now !== undefined && now !== first.pid && (await pingOk(first.socket)) ? now : undefined;
  }, 'a restarted dockerd answering', 30_000);
  h.pids.add(pid);
  t.comment(`watcher restart after kill -9: ${(performance.now() - t0).toFixed(0)} ms to ping`);
  // The new dockerd can answer a moment before the watcher has recorded its restart.
  const status = await waitFor(() => {
    const s = h.sup.watchStatus(spec.instance);
    return s?.state === 'watching' && s.restarts === 1 ? s : undefined;
  }, 'the watcher recording the restart');
  t.match(status, { state: 'watching', restarts: 1 });
  t.equal(await waitFor(() => fetchValue(spec.netns.nsIp), 'the container after the restart'), 'v1', 'live-restore kept the container');

  await h.sup.stop(spec.instance, { containerTimeoutSec: 2 });
  t.equal(h.sup.watchStatus(spec.instance), undefined, 'stop ends the watching');
  t.notOk(pidAlive(pid));
  nothingLeft(t, h, spec.instance, spec.dataRoot);
});

t.test('the watcher gives up after its restart budget', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: { intervalMs: 50, backoffMs: 10, maxRestarts: 2 } });
  const spec = await h.instance('f5', 24);
  const info = await h.start(spec);
  await h.netns.teardown(spec); // every restart now fails: its namespace is gone
  process.kill(info.pid, 'SIGKILL');
  const status = await waitFor(() => (h.sup.watchStatus(spec.instance)?.state === 'failed' ? h.sup.watchStatus(spec.instance) : undefined), 'the watcher to give up', 20_000);
  t.match(status, { state: 'failed', restarts: 0, reason: /not restarting it again/ });
  t.notOk(await h.sup.isRunning(spec.instance));
  await h.sup.stop(spec.instance);
  nothingLeft(t, h, spec.instance, spec.dataRoot);
});

t.test('stop after a crash kills orphan shims and containers and unmounts what dockerd left', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: false });
  const spec = await h.instance('f6', 25);
  const info = await h.start(spec);
  const docker = await dockerClient(info.socket);
  await buildBusyboxImage(docker);
  await runTestContainer(docker, { name: 'web', port: PORT, restart: 'always' });
  t.equal(await waitFor(() => fetchValue(spec.netns.nsIp), 'the container'), 'v1');
  process.kill(info.pid, 'SIGKILL');
  await waitFor(() => !pidAlive(info.pid), 'dockerd to die');
  const p = h.sup.paths(spec.instance);
  t.ok(processesWith(p.execRoot).some((x) => x.cmdline.includes('containerd-shim')), 'the shim outlived dockerd');
  t.ok(mountsUnder(spec.dataRoot).length > 0, 'mounts outlived dockerd');
  t.notOk(await h.sup.isRunning(spec.instance));

  const events: string[] = [];
  let preStop = false;
  await h.sup.stop(spec.instance, { onProgress: (m) => events.push(m), beforeDaemonStop: async () => void (preStop = true) });
  t.notOk(preStop, 'no preStop without a running daemon (as FakeDockerd)');
  t.same(events, ['dockerd stopped']);
  nothingLeft(t, h, spec.instance, spec.dataRoot);
  t.ok(succeeds('busybox', ['ping', '-c', '1', '-W', '2', spec.netns.nsIp]), 'the namespace itself is untouched');
  t.notOk(await fetchValue(spec.netns.nsIp));
});

t.test('a new supervisor (plugin reload) adopts running dockerds and watches them; purge forgets', { skip }, async (t) => {
  const h = await dockerdHarness(t, { watch: false });
  const spec = await h.instance('f7', 26);
  const first = await h.start(spec);
  const log = silentLogger();
  const reloaded = new HostDockerd(createExec(log), log, h.settings, { stateDir: `${h.tmp}/state`, watch: { intervalMs: 100, backoffMs: 20 } });
  t.teardown(() => reloaded.close());
  t.same(await reloaded.adoptRunning(), [spec.instance]);
  t.match(reloaded.watchStatus(spec.instance), { state: 'watching' });
  process.kill(first.pid, 'SIGKILL');
  const pid = await waitFor(async () => {
    const now = reloaded.livePid(spec.instance);
    return now !== undefined && now !== first.pid && (await pingOk(first.socket)) ? now : undefined;
  }, 'the adopted dockerd to be restarted', 30_000);
  h.pids.add(pid);
  t.pass('restarted by the supervisor that adopted it');

  const p = reloaded.paths(spec.instance);
  await reloaded.purge(spec.instance);
  t.notOk(await reloaded.isRunning(spec.instance));
  t.notOk(existsSync(p.configFile), 'daemon.json removed');
  t.notOk(existsSync(p.logFile), 'log removed');
  t.same(await reloaded.adoptRunning(), [], 'nothing left to adopt');
  nothingLeft(t, h, spec.instance, spec.dataRoot);
});
