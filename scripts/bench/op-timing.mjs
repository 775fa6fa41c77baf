// Times one lifecycle operation and splits it into phases: the operation's own progress
// events, the moments dockerd and containerd really exited (polled in /proc), and dockerd's
// log (when it started up and when its API listened). Nothing here changes what is measured.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { median } from './util.mjs';

/** The state letter of a process (R, S, Z, …), undefined when it is gone. */
function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const [state, ppid] = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

const alive = (pid) => {
  const st = procStat(pid)?.state;
  return st !== undefined && st !== 'Z' && st !== 'X';
};

/** dockerd (from its pid file) and its containerd child, when they run. */
function daemonPids(pidFile) {
  let dockerd;
  try {
    dockerd = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return {};
  }
  if (!alive(dockerd)) return {};
  const containerd = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).find((pid) => {
    const st = procStat(pid);
    return st?.ppid === dockerd && st.comm === 'containerd';
  });
  return containerd === undefined ? { dockerd } : { dockerd, containerd };
}

/** Polls every 5 ms and records when each pid stopped being a live process (ms since `t0`). */
function watchExits(pids, t0) {
  const exits = {};
  const timer = setInterval(() => {
    for (const [key, pid] of Object.entries(pids)) if (exits[key] === undefined && !alive(pid)) exits[key] = performance.now() - t0;
  }, 5);
  return () => {
    clearInterval(timer);
    return exits;
  };
}

const fileSize = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

const LOG_MARKS = {
  startingUp: /msg="Starting up"/,
  apiListen: /msg="API listen on /,
};

/** When dockerd logged each mark after byte `from`, in ms relative to the wall clock `wall0`. */
function logMarks(file, from, wall0) {
  let text;
  try {
    text = readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return {};
  }
  const marks = {};
  for (const line of text.split('\n')) {
    for (const [key, re] of Object.entries(LOG_MARKS)) {
      if (marks[key] !== undefined || !re.test(line)) continue;
      const t = /^time="([^"]+)"/.exec(line)?.[1];
      if (t) marks[key] = Date.parse(t.replace(/(\.\d{3})\d*Z$/, '$1Z')) - wall0;
    }
  }
  return marks;
}

/**
 * Collects the kernel's log records (pino JSON lines) with the moment each was written,
 * so an operation's timing can see e.g. when the dockerd plugin found the API ready.
 * `echo`: also copy the lines to stderr.
 */
export function kernelLogTap(echo = false) {
  const records = [];
  return {
    records,
    write(line) {
      if (echo) process.stderr.write(line);
      try {
        const { msg, instance } = JSON.parse(line);
        records.push({ at: performance.now(), msg, instance });
        if (records.length > 2000) records.splice(0, 1000);
      } catch {
        // not JSON: ignore
      }
      return true;
    },
  };
}

/**
 * Runs `start()` (which returns an Operation) to completion and times it.
 * `probe`: `{ instance, pidFile, logFile, kernelLog }` of the instance whose dockerd the
 * operation stops or starts.
 * @returns `{ ms, events: [{at, …event}], exits: {dockerd, containerd}, log: {startingUp, apiListen, ready} }` (ms since the start).
 */
export async function timeOp(start, probe) {
  const from = probe ? fileSize(probe.logFile) : 0;
  const pids = probe ? daemonPids(probe.pidFile) : {};
  const wall0 = Date.now();
  const t0 = performance.now();
  const stopWatch = watchExits(pids, t0);
  const events = [];
  let exits = {};
  try {
    const op = start();
    for await (const e of op) events.push({ at: performance.now() - t0, ...e });
    await op.result;
  } finally {
    exits = stopWatch();
  }
  const ms = performance.now() - t0;
  const log = probe ? logMarks(probe.logFile, from, wall0) : {};
  const ready = probe?.kernelLog?.records.find((r) => r.at >= t0 && r.instance === probe.instance && r.msg === 'dockerd is ready');
  if (ready) log.ready = ready.at - t0;
  return { ms, events, exits, log };
}

/** Named durations (ms) of one timed operation; NaN where the operation has no such phase. */
export function phasesOf(run) {
  const at = (pred) => run.events.find(pred)?.at ?? NaN;
  const step = (name) => at((e) => e.step === name && e.status === 'done') - at((e) => e.step === name && e.status === 'running');
  const waitFrom = at((e) => /^(waiting up to|no running containers)/.test(e.message ?? ''));
  const daemonFrom = at((e) => /^stopping dockerd/.test(e.message ?? ''));
  const startFrom = at((e) => e.step === 'starting_dockerd' && e.status === 'running');
  const startDone = at((e) => e.step === 'starting_dockerd' && e.status === 'done');
  const { dockerd = NaN, containerd = NaN } = run.exits;
  const gone = Math.max(dockerd, Number.isNaN(containerd) ? -Infinity : containerd);
  const swept = at((e) => e.message === 'dockerd stopped');
  const { startingUp = NaN, apiListen = NaN, ready = NaN } = run.log;
  const storage = ['zfs_snapshot', 'zfs_rollback', 'zfs_clone'].map(step).find((v) => !Number.isNaN(v)) ?? NaN;
  return {
    containers: daemonFrom - waitFrom,
    dockerdExit: dockerd - daemonFrom,
    containerdExit: containerd - daemonFrom,
    sweep: swept - gone,
    netnsDown: at((e) => e.step === 'stopping_dockerd' && e.status === 'done') - swept,
    sync: step('sync'),
    storage,
    dropCaches: step('drop_caches'),
    start: startDone - startFrom,
    launch: startingUp - startFrom,
    dockerdInit: apiListen - startingUp,
    readyPoll: ready - apiListen,
    restore: startDone - ready,
  };
}

/** Median of each phase over several runs (phases missing everywhere stay NaN). */
export function medianPhases(runs) {
  const all = runs.map(phasesOf);
  const out = {};
  for (const key of Object.keys(all[0] ?? {})) {
    const values = all.map((p) => p[key]).filter((v) => Number.isFinite(v));
    out[key] = values.length > 0 ? median(values) : NaN;
  }
  return out;
}

const s = (ms) => (ms / 1000).toFixed(2);

/** One line: where the time of an operation goes (seconds), e.g. for the unit column. */
export function formatPhases(p, storageKind) {
  const parts = [];
  if (Number.isFinite(p.containers)) parts.push(`ctr stop ${s(p.containers)}`);
  if (Number.isFinite(p.dockerdExit)) parts.push(`dockerd exit ${s(p.dockerdExit)}${Number.isFinite(p.containerdExit) ? ` (containerd ${s(p.containerdExit)})` : ''}`);
  if (Number.isFinite(p.sweep)) parts.push(`sweep ${s(p.sweep)}`);
  if (Number.isFinite(p.netnsDown)) parts.push(`netns down ${s(p.netnsDown)}`);
  if (Number.isFinite(p.sync)) parts.push(`sync ${s(p.sync)}`);
  if (Number.isFinite(p.storage)) parts.push(`${storageKind} ${s(p.storage)}`);
  if (Number.isFinite(p.dropCaches)) parts.push(`drop_caches ${s(p.dropCaches)}`);
  if (Number.isFinite(p.start)) {
    const sub = [['netns up', p.launch], ['dockerd init', p.dockerdInit], ['API seen', p.readyPoll], ['ctr restore', p.restore]].filter(([, v]) => Number.isFinite(v));
    parts.push(`start ${s(p.start)}${sub.length > 0 ? ` = ${sub.map(([k, v]) => `${k} ${s(v)}`).join(' + ')}` : ''}`);
  }
  return parts.join(' · ');
}
