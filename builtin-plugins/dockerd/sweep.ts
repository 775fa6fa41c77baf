import { existsSync, readFileSync, readdirSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mountsBelow, readMounts, selfBindsAt, type Exec, type Logger } from '../../plugin-sdk/index.js';
import { findProcesses, signal, waitForExit } from './proc.js';

/** What is left of one instance's dockerd once the daemon itself is gone. */
export interface SweepTarget {
  execRoot: string;
  /** The docker data root, when known (from the daemon.json). */
  dataRoot?: string | undefined;
  /** Cgroup parent name without the slash, `dockersnap-<name>`. */
  cgroupName: string;
  /** `net:[inode]` of the instance's namespace, when known. */
  netnsId?: string | undefined;
  socket: string;
  pidFile: string;
}

export interface SweepOptions {
  exec: Exec;
  log: Logger;
  /** File system types below the data root that belong to the storage layer, never unmounted. */
  preserveFsTypes: readonly string[];
  cgroupRoot?: string;
}

/** What the sweep did, and what it could not get rid of. */
export interface SweepResult {
  killed: number[];
  unmounted: string[];
  /** Processes or mount points still holding the instance's directories. */
  leftovers: string[];
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** `net:[…]` of a process's network namespace, or undefined. */
export function netnsIdOf(pid: number | 'self'): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}

/** `net:[inode]` of a namespace handle such as `/run/netns/ds-x`. */
export function netnsIdOfPath(path: string | undefined): string | undefined {
  try {
    return path ? `net:[${statSync(path).ino}]` : undefined;
  } catch {
    return undefined;
  }
}

/** A containerd shim serving containers of the containerd under `execRoot`. */
export function isShimIn(argv: readonly string[], execRoot: string): boolean {
  return basename(argv[0] ?? '').startsWith('containerd-shim') && argv.some((a) => a.startsWith(`${execRoot}/`));
}

/** The instance's cgroup directories: `<root>/<name>` (v2) and `<root>/<controller>/<name>` (v1). */
export function cgroupDirs(name: string, root = CGROUP_ROOT): string[] {
  const candidates = [join(root, name)];
  for (const entry of existsSync(root) ? readdirSync(root) : []) candidates.push(join(root, entry, name));
  return candidates.filter((dir) => existsSync(dir) && statSync(dir).isDirectory());
}

/** `dir` and every directory below it, deepest first. */
function treeDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) if (entry.isDirectory()) walk(join(d, entry.name));
    out.push(d);
  };
  try {
    walk(dir);
  } catch {
    /* vanished meanwhile */
  }
  return out;
}

function cgroupPids(dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs.flatMap(treeDeepestFirst)) {
    const text = (() => {
      try {
        return readFileSync(join(dir, 'cgroup.procs'), 'utf8');
      } catch {
        return '';
      }
    })();
    for (const line of text.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
  }
  return [...pids];
}

/**
 * Processes of the instance that outlived dockerd: everything in its cgroup parent,
 * containerd and shims (their argv points into the exec-root), and anything still in its
 * network namespace (docker-proxy, host-network containers). Never the host namespace.
 */
export function leftoverPids(target: SweepTarget, cgroupRoot = CGROUP_ROOT): number[] {
  const inExecRoot = (argv: readonly string[]) => argv.some((a) => a === target.execRoot || a.startsWith(`${target.execRoot}/`));
  const pids = new Set([...cgroupPids(cgroupDirs(target.cgroupName, cgroupRoot)), ...findProcesses(inExecRoot).map((p) => p.pid)]);
  const ns = target.netnsId;
  if (ns && ns !== netnsIdOf('self')) {
    for (const p of findProcesses(() => true)) if (netnsIdOf(p.pid) === ns) pids.add(p.pid);
  }
  pids.delete(process.pid);
  return [...pids];
}

async function killLeftovers(target: SweepTarget, options: SweepOptions): Promise<number[]> {
  const killed: number[] = [];
  for (let round = 0; round < 3; round++) {
    const pids = leftoverPids(target, options.cgroupRoot);
    if (pids.length === 0) break;
    options.log.warn({ pids }, 'killing processes of the instance that outlived dockerd');
    for (const pid of pids) if (signal(pid, 'SIGKILL')) killed.push(pid);
    await waitForExit(pids, 5000);
  }
  return killed;
}

async function removeCgroups(name: string, options: SweepOptions): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const dirs = cgroupDirs(name, options.cgroupRoot);
    for (const dir of dirs.flatMap(treeDeepestFirst)) {
      try {
        rmdirSync(dir);
      } catch {
        /* busy while its last tasks exit; retried below */
      }
    }
    if (cgroupDirs(name, options.cgroupRoot).length === 0 || Date.now() > deadline) return;
    await sleep(50);
  }
}

/** Mounts the sweep owns: all below the exec-root; below the data root all but storage ones; dockerd's self-binds of the data root. */
async function ownedMounts(target: SweepTarget, preserve: readonly string[]): Promise<string[]> {
  const entries = await readMounts();
  const below = [
    ...mountsBelow(entries, target.execRoot),
    ...(target.dataRoot ? mountsBelow(entries, target.dataRoot).filter((m) => !preserve.includes(m.fsType)) : []),
  ];
  return [...below.map((m) => m.mountPoint), ...(target.dataRoot ? selfBindsAt(entries, target.dataRoot).map((m) => m.mountPoint) : [])];
}

async function unmountLeftovers(target: SweepTarget, options: SweepOptions): Promise<string[]> {
  const done: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const next = (await ownedMounts(target, options.preserveFsTypes))[0];
    if (next === undefined) break;
    const plain = await options.exec('umount', [next], { reject: false });
    if (plain.exitCode !== 0) {
      const lazy = await options.exec('umount', ['-l', next], { reject: false });
      if (lazy.exitCode !== 0) {
        options.log.warn({ mount: next, err: lazy.stderr.trim() }, 'cannot unmount a leftover mount');
        break;
      }
    }
    done.push(next);
  }
  return done;
}

/**
 * Cleans up after a dead dockerd: kills its orphans, unmounts what it left (deepest first,
 * `umount -l` as fallback), removes its cgroups, socket, pid file and — once nothing is
 * mounted below it — the exec-root. Idempotent; never throws.
 */
export async function sweepInstance(target: SweepTarget, options: SweepOptions): Promise<SweepResult> {
  const killed = await killLeftovers(target, options);
  const unmounted = await unmountLeftovers(target, options);
  await removeCgroups(target.cgroupName, options);
  await rm(target.socket, { force: true }).catch(() => undefined);
  await rm(target.pidFile, { force: true }).catch(() => undefined);
  const mounts = await ownedMounts(target, options.preserveFsTypes);
  if (!mounts.some((m) => m === target.execRoot || m.startsWith(`${target.execRoot}/`))) {
    await rm(target.execRoot, { recursive: true, force: true }).catch((err: unknown) => options.log.warn({ err: String(err) }, 'cannot remove the exec-root'));
  }
  const leftovers = [...mounts.map((m) => `mount ${m}`), ...leftoverPids(target, options.cgroupRoot).map((pid) => `pid ${pid}`)];
  return { killed, unmounted, leftovers };
}
