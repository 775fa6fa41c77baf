/**
 * Host probes for integration tests: plain, synchronous reads of the host state, written
 * independently of the code under test so a test can tell what really exists. They return
 * values; the test decides what to assert.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { DockerdSpec } from '../../plugin-sdk/index.js';
import { HostDockerd, type HostDockerdOptions } from '../../builtin-plugins/dockerd/host-dockerd.js';
import { HostNetns } from '../../builtin-plugins/netns/host-netns.js';
import { netnsNames } from '../../builtin-plugins/netns/names.js';
import { createExec } from '../../kernel/exec.js';
import { silentLogger } from '../../kernel/logger.js';
import { RUN_PREFIX } from './fixtures.js';

/** Runs a command; returns stdout ('' on failure). */
export function sh(file: string, args: readonly string[]): string {
  try {
    return execFileSync(file, args as string[], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Runs a command and reports whether it exited 0. */
export function succeeds(file: string, args: readonly string[]): boolean {
  try {
    execFileSync(file, args as string[], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function onPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.some((d) => d && existsSync(join(d, tool)));
}

/** A skip reason for `t.test(name, { skip }, …)` when not root or a tool is missing; else false. */
export function hostSkip(tools: readonly string[]): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  const missing = tools.find((tool) => !onPath(tool));
  return missing ? `${missing} is not installed` : false;
}

export function netnsList(): string[] {
  return sh('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
}

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** `iptables -t <table> -S` lines whose comment is exactly `comment`. */
export function taggedRules(table: 'nat' | 'filter', comment: string): string[] {
  return sh('iptables', ['-w', '5', '-t', table, '-S'])
    .split('\n')
    .filter((line) => {
      const m = /--comment (?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(line);
      return line.startsWith('-A ') && m !== null && (m[1] ?? m[2]) === comment;
    });
}

/** Mount points at or below `dir` (from /proc/self/mountinfo, octal escapes decoded). */
export function mountsUnder(dir: string): string[] {
  const decode = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => decode(line.split(' ')[4] ?? ''))
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`));
}

/** True while `pid` exists and is not a zombie (PID 1 here does not reap orphans promptly). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live (non-zombie) processes whose command line contains `needle`. */
export function processesWith(needle: string): Array<{ pid: number; cmdline: string }> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (cmdline.includes(needle) && pidAlive(Number(entry))) out.push({ pid: Number(entry), cmdline });
  }
  return out;
}

/** Kills the given pids (and only those) with SIGKILL, ignoring ones already gone. */
export function killPids(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/**
 * Polls `check` until it returns a truthy value or the deadline passes; returns the value.
 * @throws Error naming `what` on timeout.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * A /16 for a test namespace that no host interface uses now. Starts at a pid-derived
 * offset so parallel test files rarely race for the same one; `slot` separates subnets
 * within one file.
 */
export function freeTestSubnet(slot: number): string {
  const used = sh('ip', ['-o', '-4', 'addr']);
  // 10.120–10.199 only: e2e tests and benches use fixed base offsets from 10.200 up.
  for (let i = 0; i < 80; i++) {
    const second = 120 + ((process.pid * 3 + slot * 17 + i) % 80);
    if (!used.includes(` 10.${second}.`)) return `10.${second}.0.0/16`;
  }
  throw new Error('no free 10.x.0.0/16 for a test namespace');
}

/**
 * Last-resort cleanup of an instance's namespace pieces, by exact names and exact comment,
 * for `t.teardown` when the code under test failed half-way.
 */
export function forceRemoveNetns(ns: string, veths: readonly string[], comment: string): void {
  for (const table of ['nat', 'filter'] as const) {
    for (const rule of taggedRules(table, comment)) {
      succeeds('sh', ['-c', `iptables -w 5 -t ${table} ${rule.replace(/^-A /, '-D ')}`]);
    }
  }
  for (const veth of veths) if (linkExists(veth)) succeeds('ip', ['link', 'del', veth]);
  if (netnsList().includes(ns)) succeeds('ip', ['netns', 'del', ns]);
}

/** A fresh temp dir named with the run prefix; `remove()` deletes it. */
export async function tempDir(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `${RUN_PREFIX}-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The file system type of the file system holding `path` (`stat -f -c %T`). */
export function fsType(path: string): string {
  return sh('stat', ['-f', '-c', '%T', path]).trim();
}

/**
 * A directory where overlay2 works as a Docker data root. On ext4/xfs/btrfs roots that is
 * a plain directory under `base`; on an overlayfs root (containers) it is a small loopback
 * ext4 image mounted under `base`. `cleanup()` unmounts and detaches what was made.
 */
export function overlayCapableDir(base: string, sizeMb = 1024): { path: string; cleanup: () => void } {
  const path = join(base, 'data-root');
  if (fsType(base) !== 'overlayfs') {
    execFileSync('mkdir', ['-p', path]);
    return { path, cleanup: () => undefined };
  }
  const image = join(base, 'data-root.img');
  execFileSync('truncate', ['-s', `${sizeMb}M`, image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image]);
  execFileSync('mkdir', ['-p', path]);
  const loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
  execFileSync('mount', [loop, path]);
  return {
    path,
    cleanup: () => {
      for (const mp of mountsUnder(path).reverse()) succeeds('umount', ['-l', mp]);
      succeeds('losetup', ['-d', loop]);
    },
  };
}

/** Pids in the cgroup `/<name>` of every mounted hierarchy (v1 controllers and v2). */
export function cgroupPids(name: string): number[] {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(name)) {
    for (const line of sh('find', [dir, '-name', 'cgroup.procs', '-exec', 'cat', '{}', '+']).split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  return [...pids];
}

/** Existing `/sys/fs/cgroup/[<controller>/]<name>` directories. */
export function cgroupDirs(name: string): string[] {
  const root = '/sys/fs/cgroup';
  const candidates = [join(root, name), ...(existsSync(root) ? readdirSync(root) : []).map((c) => join(root, c, name))];
  return candidates.filter((dir) => existsSync(dir));
}

/** Removes the cgroup `/<name>` trees (bottom-up) after killing their tasks; best effort. */
export function forceRemoveCgroup(name: string): void {
  killPids(cgroupPids(name));
  for (const dir of cgroupDirs(name)) succeeds('find', [dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', '+']);
}

/**
 * Last-resort cleanup after a dockerd test, whatever state it failed in: the pids the test
 * started, then processes pointing into its temp dir (containerd, shims), container
 * cgroups, mounts below the temp dir (deepest first), namespaces and their rules.
 */
async function forceCleanup(c: { dir: string; instances: Set<string>; pids: Set<number>; netns: HostNetns }): Promise<void> {
  killPids([...c.pids].filter(pidAlive));
  killPids(processesWith(c.dir).map((p) => p.pid));
  for (const instance of c.instances) forceRemoveCgroup(`dockersnap-${instance}`);
  for (const mp of mountsUnder(c.dir).reverse()) succeeds('umount', ['-l', mp]);
  for (const instance of c.instances) {
    await c.netns.teardown({ instance }).catch(() => undefined);
    const n = netnsNames(instance);
    forceRemoveNetns(n.ns, [n.hostVeth, n.tempPeer], n.comment);
  }
}

/**
 * A real dockerd supervisor in a temp dir (run dir, data dir, data roots, resolv dir) plus
 * real namespaces for its instances. `t.teardown` removes everything even when the test
 * failed half-way: dockerds (the pids it started, then processes pointing into the temp
 * dir), container cgroups, mounts below the temp dir, namespaces, the temp dir.
 */
export async function dockerdHarness(t: Test, options: HostDockerdOptions = {}) {
  const log = silentLogger();
  const exec = createExec(log);
  const tmp = await tempDir('dockerd');
  const roots = overlayCapableDir(tmp.path);
  const settings = {
    run_dir: join(tmp.path, 'run'),
    data_dir: join(tmp.path, 'data'),
    docker: { dns: [], log_max_size: '10m', log_max_file: 2, proxy: { http: '', https: '', no_proxy: '' } },
  };
  const netns = new HostNetns(exec, log, { etcNetnsDir: join(tmp.path, 'etc-netns') });
  const sup = new HostDockerd(exec, log, settings, { daemonStopTimeoutMs: 20_000, stateDir: join(tmp.path, 'state'), ...options });
  const instances = new Set<string>();
  const pids = new Set<number>();
  t.teardown(async () => {
    await sup.close();
    for (const instance of instances) await sup.stop(instance, { containerTimeoutSec: 1 }).catch(() => undefined);
    await forceCleanup({ dir: tmp.path, instances, pids, netns });
    roots.cleanup();
    await tmp.remove();
  });
  /** A fresh instance with its namespace set up and its own data root. */
  async function instance(suffix: string, slot: number, storageDriver = 'overlay2'): Promise<DockerdSpec> {
    const name = `${RUN_PREFIX}-${suffix}`;
    instances.add(name);
    const info = await netns.setup({ instance: name, subnet: freeTestSubnet(slot) });
    const dataRoot = join(roots.path, name);
    execFileSync('mkdir', ['-p', dataRoot]);
    return { instance: name, dataRoot, storageDriver, netns: info };
  }
  /** `sup.start`, remembering the pid for the teardown. */
  async function start(spec: DockerdSpec) {
    const info = await sup.start(spec);
    pids.add(info.pid);
    return info;
  }
  return { sup, netns, exec, settings, tmp: tmp.path, instance, start, pids };
}

/** Whether a TCP connect to 127.0.0.1:<port> is refused (no listener). */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}
