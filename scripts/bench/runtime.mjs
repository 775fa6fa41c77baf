// Runtime benchmarks on real pools, dockerds and network namespaces, per storage backend:
//   floor, snapshot, revert, clone  — vs a bare dockerd restart, at a small and a large data size
//   naive peer                      — `docker commit` + `docker run` vs our snapshot + revert
//   PID 1 ignoring SIGTERM          — what the stop timeout costs a snapshot
//   20 instances, memory            — create time stays flat; RSS of the process hosting the kernel
// BENCH_RUNS: repetitions (default 5; the naive peer does min(BENCH_RUNS, 3)).
// BENCH_QUICK=1: 1 MB/64 MB and 64 MB/256 MB instead of 1 MB/1 GB and 1 GB/4 GB.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CONTAINERS, DATA_CONTAINER, DATA_FILE, dockerClient, execIn, expectData, expectRunning, startTestContainers, writeData } from './containers.mjs';
import { formatPhases, medianPhases, timeOp } from './op-timing.mjs';
import { Skip, checkpoint, closeBackend, deleteInstance, openBackend } from './runtime-env.mjs';
import { median, row } from './util.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PEER_RUNS = Math.min(RUNS, 3);
const QUICK = process.env.BENCH_QUICK === '1';
const MiB = 2 ** 20;
const SIZES = QUICK ? { core: [MiB, 64 * MiB], peer: [64 * MiB, 256 * MiB] } : { core: [MiB, 1024 * MiB], peer: [1024 * MiB, 4096 * MiB] };

const note = (text) => process.stderr.write(`bench:   ${text}\n`);
const sec = (ms) => ms / 1000;
const x = (ratio) => `${ratio.toFixed(2)}×`;
const sizeText = (bytes) => (bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GB` : `${bytes / MiB} MB`);
const med = (runs) => median(runs.map((r) => r.ms));

/** What op-timing watches of an instance: its dockerd's pid file and log, and the kernel's log. */
function probe(env, instance) {
  return { instance, pidFile: join(env.settings.run_dir, `${instance}.pid`), logFile: join(env.settings.data_dir, 'logs', `${instance}.log`), kernelLog: env.kernelLog };
}

async function runOp(env, name, start) {
  checkpoint();
  return timeOp(start, probe(env, name));
}

/** A new instance with the three test containers running. @returns its docker client. */
async function instanceWithContainers(env, name, options = {}) {
  const op = env.kernel.instances.create({ name });
  for await (const _ of op); // eslint-disable-line no-unused-vars
  const rec = await op.result;
  const docker = await dockerClient(rec.socket);
  await startTestContainers(env.images, docker, options);
  await expectRunning(docker, CONTAINERS.length, `${name} after create`);
  return docker;
}

/** Writes the data inside the data container, then flushes it (untimed: both sides start from clean pages). */
async function writeAndSync(docker, bytes) {
  const t0 = performance.now();
  await writeData(docker, bytes);
  execFileSync('sync');
  await expectData(docker, bytes, 'after writing');
  return performance.now() - t0;
}

/** A clone of `source@label`, timed until its dockerd answers and its three containers run. */
async function cloneReady(env, source, label, target, bytes) {
  const t0 = performance.now();
  const run = await runOp(env, target, () => env.kernel.instances.clone(source, label, target));
  const docker = await dockerClient((await env.kernel.instances.get(target)).socket);
  await expectRunning(docker, CONTAINERS.length, `clone ${target}`);
  run.ms = performance.now() - t0;
  await expectData(docker, bytes, `clone ${target}`);
  return run;
}

/** One data size: N paired rounds of restart (floor), snapshot, revert (after deleting the data), clone. */
async function coreAtSize(env, bytes, tag) {
  const name = `bench-${tag}`;
  const k = env.kernel.instances;
  const r = { bytes, floor: [], snapshot: [], revert: [], clone: [] };
  try {
    const docker = await instanceWithContainers(env, name);
    r.writeMs = await writeAndSync(docker, bytes);
    for (let i = 0; i < RUNS; i++) {
      note(`${env.backend} ${sizeText(bytes)}: round ${i + 1}/${RUNS}`);
      r.floor.push(await runOp(env, name, () => k.restart(name)));
      await expectRunning(docker, CONTAINERS.length, `${name} after restart`);
      r.snapshot.push(await runOp(env, name, () => k.snapshot(name, `s${i}`)));
      await expectRunning(docker, CONTAINERS.length, `${name} after snapshot`);
      await execIn(docker, DATA_CONTAINER, ['rm', DATA_FILE]); // a change only the revert can undo
      r.revert.push(await runOp(env, name, () => k.revert(name, `s${i}`)));
      await expectRunning(docker, CONTAINERS.length, `${name} after revert`);
      await expectData(docker, bytes, `${name} after revert`);
      const target = `${name}c${i}`;
      try {
        r.clone.push(await cloneReady(env, name, `s${i}`, target, bytes));
      } finally {
        await deleteInstance(env, target);
      }
    }
  } finally {
    await deleteInstance(env, name);
  }
  return r;
}

function coreRows(b, kind, r) {
  const floor = med(r.floor);
  const start = medianPhases(r.floor).start;
  const size = sizeText(r.bytes);
  const rel = (runs, ref, what) => `s (${x(med(runs) / ref)} ${what})`;
  return [
    row(`${b}: write ${size} in a container + sync (setup)`, sec(r.writeMs), 's'),
    row(`${b}: floor: dockerd stop + start, 3 containers, ${size}`, sec(floor), `s (of which start ${sec(start).toFixed(2)} s)`),
    row(`${b}: snapshot, ${size}`, sec(med(r.snapshot)), rel(r.snapshot, floor, 'floor'), '≤ 1.2× floor', med(r.snapshot) <= 1.2 * floor),
    row(`${b}: revert, ${size}`, sec(med(r.revert)), rel(r.revert, floor, 'floor'), '≤ 1.2× floor', med(r.revert) <= 1.2 * floor),
    row(`${b}: clone ready, ${size}`, sec(med(r.clone)), rel(r.clone, start, 'one dockerd start'), '≤ 1.2× dockerd start', med(r.clone) <= 1.2 * start),
    ...['floor', 'snapshot', 'revert', 'clone'].map((op) => row(`${b}:   ${op} ${size}, phases (median s)`, '', formatPhases(medianPhases(r[op]), kind))),
  ];
}

/** Section 1. */
async function benchCore(env) {
  const [small, large] = [await coreAtSize(env, SIZES.core[0], 's1'), await coreAtSize(env, SIZES.core[1], 's2')];
  const b = env.label;
  const growth = ['snapshot', 'revert', 'clone'].map((op) => {
    const ratio = med(large[op]) / med(small[op]);
    return row(`${b}: ${op} ${sizeText(large.bytes)} vs ${sizeText(small.bytes)}`, ratio, '×', '≤ 1.1×', ratio <= 1.1);
  });
  return [...coreRows(b, env.storage.backend, small), ...coreRows(b, env.storage.backend, large), ...growth];
}

/** `docker commit` of the data container + `docker run` of the image, until the new container runs (with the data). */
async function naiveRound(env, docker, bytes, i) {
  checkpoint();
  execFileSync('sync');
  const t0 = performance.now();
  const image = await docker.getContainer(DATA_CONTAINER).commit({ repo: 'bench-commit', tag: `r${i}` });
  const t1 = performance.now();
  const peer = `peer${i}`;
  try {
    await env.images.runTestContainer(docker, { name: peer, image: image.Id });
    const t2 = performance.now();
    await expectData(docker, bytes, 'container run from the committed image', peer);
    return { commit: t1 - t0, run: t2 - t1 };
  } finally {
    await docker.getContainer(peer).remove({ force: true }).catch(() => undefined);
    await docker.getImage(image.Id).remove({ force: true }).catch((e) => note(`removing the committed image: ${e.message}`));
  }
}

/** Ours first (its snapshots must not pin the committed layers), then the naive peer, on one instance. */
async function peerAtSize(env, bytes, tag) {
  const name = `bench-${tag}`;
  const k = env.kernel.instances;
  const r = { bytes, snapshot: [], revert: [], naive: [] };
  try {
    const docker = await instanceWithContainers(env, name);
    await writeAndSync(docker, bytes);
    for (let i = 0; i < PEER_RUNS; i++) {
      note(`${env.backend} naive peer ${sizeText(bytes)}: round ${i + 1}/${PEER_RUNS}`);
      r.snapshot.push(await runOp(env, name, () => k.snapshot(name, `p${i}`)));
      await execIn(docker, DATA_CONTAINER, ['rm', DATA_FILE]);
      r.revert.push(await runOp(env, name, () => k.revert(name, `p${i}`)));
      await expectData(docker, bytes, `${name} after revert`);
    }
    for (let i = 0; i < PEER_RUNS; i++) r.naive.push(await naiveRound(env, docker, bytes, i));
  } finally {
    await deleteInstance(env, name);
  }
  const commit = median(r.naive.map((n) => n.commit));
  const run = median(r.naive.map((n) => n.run));
  const [snap, rev] = [med(r.snapshot), med(r.revert)];
  return { bytes, commit, run, naive: commit + run, snap, rev, ours: snap + rev, speedup: (commit + run) / (snap + rev) };
}

/** Section 2. */
async function benchPeer(env) {
  const b = env.label;
  const [a, c] = [await peerAtSize(env, SIZES.peer[0], 'p1'), await peerAtSize(env, SIZES.peer[1], 'p2')];
  const rows = (p, target, ok) => [
    row(`${b}: naive: docker commit + run, ${sizeText(p.bytes)}`, sec(p.naive), `s (commit ${sec(p.commit).toFixed(2)} + run ${sec(p.run).toFixed(2)})`),
    row(`${b}: ours: snapshot + revert (after rm), ${sizeText(p.bytes)}`, sec(p.ours), `s (${sec(p.snap).toFixed(2)} + ${sec(p.rev).toFixed(2)}); naive ÷ ours = ${x(p.speedup)}, commit ÷ snapshot = ${x(p.commit / p.snap)}`, target, ok),
  ];
  return [...rows(a, '≥ 6× faster', a.speedup >= 6), ...rows(c, `gap grows (> ${x(a.speedup)})`, c.speedup > a.speedup)];
}

/** Section 3: the same snapshot with 3 containers that trap TERM and 3 whose PID 1 ignores it. */
async function benchPid1(env) {
  const k = env.kernel.instances;
  const [trap, deaf] = ['bench-trap', 'bench-deaf'];
  const r = { trap: [], deaf: [] };
  try {
    await instanceWithContainers(env, trap);
    await instanceWithContainers(env, deaf, { trapTerm: false });
    for (let i = 0; i < RUNS; i++) {
      note(`${env.backend} PID 1: round ${i + 1}/${RUNS}`);
      r.trap.push(await runOp(env, trap, () => k.snapshot(trap, `t${i}`)));
      r.deaf.push(await runOp(env, deaf, () => k.snapshot(deaf, `t${i}`)));
    }
  } finally {
    await deleteInstance(env, trap);
    await deleteInstance(env, deaf);
  }
  const waitMsg = r.deaf[0].events.find((e) => /^waiting up to/.test(e.message ?? ''))?.message ?? '';
  const timeout = /waiting up to (\d+)s/.exec(waitMsg)?.[1];
  const [t, d] = [med(r.trap), med(r.deaf)];
  const b = env.label;
  return [
    row(`${b}: snapshot, 3 containers trapping TERM`, sec(t), `s (containers stop ${sec(medianPhases(r.trap).containers).toFixed(2)} s)`),
    row(`${b}: snapshot, 3 containers whose PID 1 ignores TERM`, sec(d), `s (+${sec(d - t).toFixed(2)} s; containers stop ${sec(medianPhases(r.deaf).containers).toFixed(2)} s; container_stop_timeout ${timeout ?? '?'}s)`),
    row(`${b}:   progress says what the stop waits on`, waitMsg ? `"${waitMsg}"` : 'no message', '', 'names the wait', /waiting up to \d+s for 3 containers: /.test(waitMsg)),
  ];
}

const mb = (bytes) => bytes / MiB;

/** Section 4 (+ 5): 20 creates in a row, each timed; RSS of this process (the one hosting the kernel). */
async function benchTwenty(env) {
  const rssBefore = process.memoryUsage().rss;
  const names = Array.from({ length: 20 }, (_, i) => `bench-n${String(i + 1).padStart(2, '0')}`);
  const times = [];
  const deletes = [];
  let rss20;
  try {
    for (const name of names) {
      checkpoint();
      const t0 = performance.now();
      const op = env.kernel.instances.create({ name });
      for await (const _ of op); // eslint-disable-line no-unused-vars
      await op.result;
      times.push(performance.now() - t0);
      note(`${env.backend} create #${times.length}: ${(times.at(-1) / 1000).toFixed(2)} s`);
    }
    rss20 = process.memoryUsage().rss;
  } finally {
    for (const name of names.slice(0, times.length + 1)) {
      const t0 = performance.now();
      await deleteInstance(env, name);
      deletes.push(performance.now() - t0);
    }
  }
  const rssAfter = process.memoryUsage().rss;
  const [first5, last5] = [median(times.slice(0, 5)), median(times.slice(-5))];
  const b = env.label;
  return [
    ...[1, 10, 20].map((n) => row(`${b}: create #${n} of 20 (one after another)`, sec(times[n - 1]), `s (${x(times[n - 1] / times[0])} #1)`)),
    row(`${b}: create min / median / max`, `${sec(Math.min(...times)).toFixed(2)} / ${sec(median(times)).toFixed(2)} / ${sec(Math.max(...times)).toFixed(2)}`, 's'),
    row(`${b}: create, median of #16–20 vs #1–5`, last5 / first5, '×', '≤ 1.25× (flat)', last5 / first5 <= 1.25),
    row(`${b}: delete (median of 20)`, sec(median(deletes)), 's'),
    row(`${b}: RSS of the kernel process after boot`, mb(env.rssAfterBoot), 'MB'),
    row(`${b}: RSS before the 20 creates`, mb(rssBefore), 'MB'),
    row(`${b}: RSS with 20 instances running`, mb(rss20), `MB (+${mb(rss20 - rssBefore).toFixed(1)} MB, ${(mb(rss20 - rssBefore) / 20).toFixed(2)} MB/instance)`),
    row(`${b}: RSS after deleting them`, mb(rssAfter), 'MB'),
  ];
}

/**
 * The runtime sections as `[name, run, group]`: every section of a backend shares one
 * booted kernel and pool (`group.open()` before the first, `group.close()` after the last).
 */
export function runtimeSections(root) {
  const out = [];
  for (const backend of ['btrfs', 'zfs']) {
    const group = { open: () => openBackend(root, backend), close: (env) => closeBackend(env) };
    out.push(
      [`${backend}: floor, snapshot, revert, clone`, benchCore, group],
      [`${backend}: naive peer (docker commit + run)`, benchPeer, group],
      [`${backend}: PID 1 ignoring SIGTERM`, benchPid1, group],
      [`${backend}: 20 instances, memory`, benchTwenty, group],
    );
  }
  return out;
}

export { Skip };
