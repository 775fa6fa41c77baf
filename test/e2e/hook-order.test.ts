// Hook order around a real revert, on btrfs and on zfs-fuse. The hook-recorder fixture (a
// directory plugin from the user plugin dir, importing dockersnap/plugin-sdk from dist/) writes
// each hook it sees to a file; an in-memory observer keeps each hook's context and probes the
// host at that moment, so the documented "when it fires" of docs/hooks.md is checked too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import t, { type Test } from 'tap';
import { HOOK_NAMES, type HookName } from '../../kernel/hooks.js';
import { STAGES, definePlugin, linkAddresses } from '../../plugin-sdk/index.js';
import { requireBuild } from '../helpers/daemon.js';
import { RUN_PREFIX, installFixtures } from '../helpers/fixtures.js';
import { netnsList, processesWith } from '../helpers/host.js';
import { BACKENDS, awaitValue, gateBackend, openWorld, run, writeValue, type Backend } from '../helpers/lifecycle-e2e.js';

requireBuild();

/** network.base_offset per backend: outside the 10.120–10.239 range freeTestSubnet hands to other files. */
const BASES: Record<Backend, string> = { btrfs: '10.61.0.0', zfs: '10.66.0.0' };

/** One hook call as the observer saw it, with what the host looked like at that moment. */
interface Seen {
  hook: HookName;
  op: string;
  opId: string;
  instance: string;
  label?: string;
  reason?: string;
  newer?: readonly string[];
  netns?: { name: string; path: string; hostVeth: string; nsIp: string };
  socket?: string;
  recordSnapshots?: string[];
  /** A dockerd process for the instance exists. */
  dockerdLive: boolean;
  /** Its namespace exists. */
  netnsUp: boolean;
  /** Running containers per the Docker API (undefined: the API did not answer). */
  containers?: number;
}

async function runningContainers(socket: string): Promise<number | undefined> {
  try {
    return (await new Docker({ socketPath: socket, timeout: 3000 }).listContainers()).length;
  } catch {
    return undefined;
  }
}

/** An observer tapping every instance hook at the OBSERVE stage. */
function observer(seen: Seen[]) {
  return definePlugin({
    id: 'ctx-observer',
    version: '1.0.0',
    setup(ctx) {
      for (const hook of HOOK_NAMES.filter((h) => h !== 'reconcile')) {
        (ctx.hooks[hook] as { tap(o: object, fn: (c: Record<string, unknown>) => Promise<void>): void }).tap({ stage: STAGES.OBSERVE }, async (c) => {
          const instance = c['instance'] as string;
          const record = c['record'] as { socket?: string; snapshots?: Array<{ label: string }> } | undefined;
          const socket = (c['dockerd'] as { socket?: string } | undefined)?.socket ?? record?.socket;
          const dockerdLive = processesWith(`/daemon-configs/${instance}.json`).some((p) => /(^|\/)dockerd /.test(p.cmdline));
          seen.push({
            hook,
            op: c['op'] as string,
            opId: c['opId'] as string,
            instance,
            ...(c['label'] !== undefined ? { label: c['label'] as string } : {}),
            ...(c['reason'] !== undefined ? { reason: c['reason'] as string } : {}),
            ...(c['newerSnapshots'] !== undefined ? { newer: c['newerSnapshots'] as string[] } : {}),
            ...(c['netns'] ? { netns: c['netns'] as Seen['netns'] } : {}),
            ...(socket ? { socket } : {}),
            ...(record?.snapshots ? { recordSnapshots: record.snapshots.map((s) => s.label) } : {}),
            dockerdLive,
            netnsUp: netnsList().includes(`ds-${instance}`),
            ...(socket && dockerdLive ? { containers: await runningContainers(socket) } : {}),
          });
        });
      }
    },
  });
}

async function hookOrder(t: Test, backend: Backend): Promise<void> {
  if (!(await gateBackend(t, backend, t))) return;
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-hooks-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const pluginDir = join(dir, 'plugins');
  installFixtures(pluginDir, ['hook-recorder']);
  const file = join(dir, 'hooks.log');
  writeFileSync(file, '');
  const seen: Seen[] = [];
  const w = await openWorld(t, { backend, baseOffset: BASES[backend], label: 'ho', pluginDir, plugins: [observer(seen)], settings: { plugins: { config: { 'hook-recorder': { file } } } } });
  const recorder = w.kernel.plugins().find((p) => p.id === 'hook-recorder');
  t.match(recorder, { status: 'ok', source: 'dir' }, `the fixture plugin is loaded from the plugin dir${recorder?.reason ? ` (${recorder.reason})` : ''}`);

  const n = w.name('hk');
  const ns = `ds-${n}`;
  const made = await w.createWithWeb(n, 'v1');
  t.equal(await awaitValue(made.ip, 8080, 'v1'), 'v1');
  await run(w.kernel.instances.snapshot(n, 'one'));
  await writeValue(made.docker, 'web', 'v2');
  t.equal(await awaitValue(made.ip, 8080, 'v2'), 'v2', 'v2 is served before the revert');
  await run(w.kernel.instances.snapshot(n, 'two'));
  seen.length = 0;
  const marker = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
  await run(w.kernel.instances.revert(n, 'one', { force: true }));
  t.equal(await awaitValue(made.ip, 8080, 'v1'), 'v1', 'a real revert: v1 is back');
  await run(w.kernel.instances.delete(n));
  t.same(await w.leftovers(n), [], 'nothing is left after the delete');

  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const stopStart = (op: string) => [`preStop ${n} ${op}`, `postStop ${n} ${op}`, `netnsReady ${n} ${ns}`, `dockerdReady ${n} ${ns}`];
  t.same(lines.slice(0, marker), [
    `preCreate ${n}`, `storageReady ${n}`, `netnsReady ${n} ${ns}`, `dockerdReady ${n} ${ns}`,
    `preSnapshot ${n} one`, ...stopStart('snapshot'), `postSnapshot ${n} one`,
    `preSnapshot ${n} two`, ...stopStart('snapshot'), `postSnapshot ${n} two`,
  ], 'create and the two snapshots: every hook in order, with instance, label, reason and namespace');
  t.same(lines.slice(marker), [
    `preRollback ${n} one`, ...stopStart('revert'), `postRollback ${n} one`,
    `preDelete ${n}`, `preStop ${n} delete`, `postStop ${n} delete`, `postDelete ${n}`,
  ], 'the revert (preRollback → preStop → postStop → netnsReady → dockerdReady → postRollback), then the delete');

  const revert = seen.filter((s) => s.op === 'revert');
  t.same(revert.map((s) => s.hook), ['preRollback', 'preStop', 'postStop', 'netnsReady', 'dockerdReady', 'postRollback'], 'the observer saw the same revert order');
  t.equal(new Set(revert.map((s) => s.opId)).size, 1, 'all of them carry the one revert operation id');
  t.ok(revert.every((s) => s.instance === n), 'and the instance name');
  const by = Object.fromEntries(revert.map((s) => [s.hook, s])) as Record<string, Seen>;
  t.match(by['preRollback'], { label: 'one', newer: ['two'], recordSnapshots: ['one', 'two'], dockerdLive: true, netnsUp: true, containers: 1 }, 'preRollback: label, the snapshot it will destroy; nothing stopped yet');
  t.match(by['preStop'], { reason: 'revert', dockerdLive: true, containers: 0 }, 'preStop: containers stopped, dockerd still runs');
  t.match(by['postStop'], { reason: 'revert', dockerdLive: false, netnsUp: false }, 'postStop: dockerd and namespace gone');
  const link = linkAddresses(made.rec.subnet);
  t.match(by['netnsReady'], { netns: { name: ns, path: `/run/netns/${ns}`, nsIp: link.nsIp }, netnsUp: true, dockerdLive: false }, 'netnsReady: the namespace is up, dockerd not yet');
  t.match(by['dockerdReady'], { netns: { name: ns }, socket: made.rec.socket, dockerdLive: true }, 'dockerdReady: dockerd answers on the instance socket');
  t.match(by['postRollback'], { label: 'one', newer: ['two'], dockerdLive: true, containers: 1 }, 'postRollback: done, dockerd back with the container running');
}

for (const backend of BACKENDS) await t.test(backend, (t) => hookOrder(t, backend));
