/**
 * The real stack for end-to-end lifecycle tests: a kernel with every builtin plugin on a real
 * pool (a btrfs loop image or a zfs-fuse file pool), real namespaces, real dockerds, all in a
 * temp dir named with RUN_PREFIX (so the suite runner sees any leak). Probes read the host
 * independently of the code under test. The teardown deletes through the API first, then
 * force-cleans what is left: processes (by pid), cgroups, namespaces and rules, the pool,
 * mounts deepest first, loop devices, the dir.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Test } from 'tap';
import { netnsNames } from '../../builtin-plugins/netns/names.js';
import { zfsAnswers, zfsFuseRunning } from '../../builtin-plugins/storage-zfs/zfs-pool.js';
import { createLogger, silentLogger } from '../../kernel/logger.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Operation } from '../../kernel/lifecycle/operation.js';
import type { ProgressEvent } from '../../plugin-sdk/capabilities/workload.js';
import { linkAddresses, missingTool, type AnyPluginDefinition, type InstanceRecord } from '../../plugin-sdk/index.js';
import { buildBusyboxImage, runTestContainer } from '../../plugin-sdk/testing/images.js';
import { startTestKernel, type TestKernel } from '../../plugin-sdk/testing/start-test-kernel.js';
import { RUN_PREFIX } from './fixtures.js';
import { cgroupDirs, cgroupPids, forceRemoveCgroup, forceRemoveNetns, killPids, linkExists, netnsList, pidAlive, processesWith, sh, succeeds, taggedRules, waitFor } from './host.js';
import { cleanupDir, destroyTestPool, exec } from './pools.js';

export type Backend = 'btrfs' | 'zfs';
export const BACKENDS: readonly Backend[] = ['btrfs', 'zfs'];

const COMMON_TOOLS = ['dockerd', 'containerd', 'ip', 'iptables', 'nsenter', 'losetup'];
const BACKEND_TOOLS: Record<Backend, string[]> = { btrfs: ['btrfs', 'mkfs.btrfs'], zfs: ['zfs', 'zpool', 'zfs-fuse', 'fuse-overlayfs'] };

/** Why `backend` cannot run here (not root, a tool missing, ZFS silent), or undefined. Starts zfs-fuse when needed. */
export async function backendProblem(backend: Backend): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root';
  const missing = missingTool([...COMMON_TOOLS, ...BACKEND_TOOLS[backend]]);
  if (missing) return `${missing} is not installed`;
  if (!existsSync('/bin/busybox')) return '/bin/busybox is missing (install busybox-static)';
  if (backend === 'zfs') return useZfs();
  return undefined;
}

/**
 * Gates a test on its backend: true when it can run. Otherwise the test is planned empty
 * (skipped) — unless CI is set, where a missing tool is a failure, never a skip.
 * For zfs, registers this process as a zfs-fuse user until `root` ends (see useZfs).
 */
export async function gateBackend(t: Test, backend: Backend, root: Test = t): Promise<boolean> {
  const problem = await backendProblem(backend);
  if (backend === 'zfs') root.teardown(releaseZfs);
  if (problem === undefined) return true;
  if (process.env['CI']) {
    t.fail(`${backend}: ${problem} (tools are required when CI is set)`);
    return false;
  }
  t.plan(0, `${backend}: ${problem}`);
  return false;
}

/**
 * zfs-fuse is one daemon per host, and several test processes use it at once (tap --jobs).
 * A child the test process waits on would keep that process alive for as long as another
 * one has pools, so the daemon is started detached and unref'd, and shared through a small
 * registry: `users/<pid>` per test process using ZFS, `daemon.pid` for a zfs-fuse a test
 * started. The last user to leave stops it — only that one, never a daemon tests did not
 * start, and never while any pool exists. Register and leave run under a lock dir.
 */
const ZFS_REGISTRY = join(tmpdir(), 'dockersnap-test-zfs');

async function withRegistryLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(ZFS_REGISTRY, 'lock');
  mkdirSync(ZFS_REGISTRY, { recursive: true });
  await waitFor(() => {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return true;
    } catch {
      const owner = Number(readFileOr(join(lock, 'pid'), '0'));
      if (owner > 0 && !pidAlive(owner)) rmSync(lock, { recursive: true, force: true }); // its owner died
      return false;
    }
  }, 'the zfs-fuse registry lock', 60_000, 50);
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** Registers this process as a ZFS user and makes sure ZFS answers. Resolves to a reason when it cannot. */
export async function useZfs(): Promise<string | undefined> {
  return withRegistryLock(async () => {
    mkdirSync(join(ZFS_REGISTRY, 'users'), { recursive: true });
    writeFileSync(join(ZFS_REGISTRY, 'users', String(process.pid)), '');
    if ((await zfsAnswers(exec)).ok) return undefined;
    if (await zfsFuseRunning()) return 'a zfs-fuse daemon runs but does not answer (not ours; not touched)';
    const child = spawn('zfs-fuse', ['--no-daemon', '--no-kstat-mount'], { detached: true, stdio: 'ignore' });
    const started = await new Promise<boolean>((resolve) => child.once('spawn', () => resolve(true)).once('error', () => resolve(false)));
    if (!started) return 'zfs-fuse could not be started';
    child.unref();
    writeFileSync(join(ZFS_REGISTRY, 'daemon.pid'), String(child.pid));
    const ok = await waitFor(async () => (await zfsAnswers(exec)).ok, 'zfs-fuse to answer', 10_000, 50).catch(() => false);
    return ok ? undefined : 'zfs-fuse started but zfs does not answer after 10 s';
  });
}

let released = false;

/** Leaves the registry; the last user stops the zfs-fuse a test started, once no pool is left. */
export async function releaseZfs(): Promise<void> {
  if (released) return;
  released = true;
  await withRegistryLock(async () => {
    rmSync(join(ZFS_REGISTRY, 'users', String(process.pid)), { force: true });
    const users = readdirSync(join(ZFS_REGISTRY, 'users')).map(Number).filter((pid) => pid !== process.pid && pidAlive(pid));
    const daemon = Number(readFileOr(join(ZFS_REGISTRY, 'daemon.pid'), '0'));
    if (users.length > 0 || daemon <= 0) return;
    if (!pidAlive(daemon)) return void rmSync(join(ZFS_REGISTRY, 'daemon.pid'), { force: true });
    if ((await exec('zpool', ['list', '-H', '-o', 'name'], { reject: false })).stdout.trim() !== '') return; // a user outside the registry
    process.kill(daemon, 'SIGTERM');
    await waitFor(() => !pidAlive(daemon), 'zfs-fuse to exit', 20_000).catch(() => killPids([daemon]));
    rmSync(join(ZFS_REGISTRY, 'daemon.pid'), { force: true });
  });
}

export interface WorldOptions {
  backend: Backend;
  /** `network.base_offset`; distinct per test file so parallel files never share a subnet. */
  baseOffset: string;
  /** A short tag for the temp dir and the zfs pool name. */
  label: string;
  /** User plugin dir to scan (default: none). */
  pluginDir?: string;
  /** In-memory plugins booted beside the builtins (observers). */
  plugins?: readonly AnyPluginDefinition[];
  /** Size of the pool image (default 2G). */
  poolSize?: string;
  /** Extra settings, deep-merged over the world's. */
  settings?: Record<string, unknown>;
}

/** Deep merge (objects merge, everything else replaces). */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The settings patch of a world in `dir`: every path below it, one storage backend selected. */
export function worldSettings(dir: string, options: WorldOptions): Record<string, unknown> {
  const other = options.backend === 'btrfs' ? 'storage-zfs' : 'storage-btrfs';
  const base: Record<string, unknown> = {
    state_file: join(dir, 'state.json'),
    run_dir: join(dir, 'run'),
    data_dir: join(dir, 'data'),
    network: { base_offset: options.baseOffset },
    capabilities: { storage: `storage-${options.backend}` },
    plugins: {
      dir: join(dir, 'plugins'),
      cache_dir: join(dir, 'plugin-cache'),
      hook_timeout: '60s',
      setup_timeout: '60s',
      disabled: [other],
      config: { netns: { etc_netns_dir: join(dir, 'etc-netns') } },
    },
    ...(options.backend === 'btrfs'
      ? { btrfs: { pool_size: options.poolSize ?? '2G' } }
      : {
          zfs: {
            pool: zpoolName(options.label),
            pool_file: join(dir, 'zpool.img'),
            pool_size: options.poolSize ?? '2G',
            start_zfs_fuse: true,
            dataset_prefix: 'instances',
            mountpoint_root: join(dir, 'zfs'),
          },
        }),
  };
  return merge(base, options.settings ?? {});
}

/** The zfs pool of a world: per process and label, so parallel files never share one. */
export function zpoolName(label: string): string {
  return `${RUN_PREFIX}${label}`;
}

/** Progress of a finished operation, and its outcome. */
export interface Outcome<R> {
  result?: R;
  error?: Error & { code?: string; details?: Record<string, unknown> };
  events: ProgressEvent[];
  ms: number;
}

/** Awaits an operation without throwing; returns its events, result or error, and how long it took. */
export async function settle<R>(op: Operation<R>): Promise<Outcome<R>> {
  const t0 = Date.now();
  try {
    const result = await op.result;
    return { result, events: [...op.history], ms: Date.now() - t0 };
  } catch (err) {
    return { error: err as Outcome<R>['error'], events: [...op.history], ms: Date.now() - t0 };
  }
}

/** Awaits an operation; throws its error with the events attached to the message. */
export async function run<R>(op: Operation<R>): Promise<R> {
  const out = await settle(op);
  if (out.error) {
    out.error.message += `\n  events: ${out.events.map((e) => `${e.step}/${e.status}${e.message ? ` ${e.message}` : ''}`).join(' | ')}`;
    throw out.error;
  }
  return out.result as R;
}

/** `GET http://<ip>:<port>/f`, trimmed; undefined when nothing answers within 2 s. */
export async function readValue(ip: string, port: number | string): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${ip}:${port}/f`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? (await res.text()).trim() : `HTTP ${res.status}`;
  } catch {
    return undefined;
  }
}

/** Polls `GET /f` until it answers `expected` or the deadline passes; returns the last answer (to assert on). */
export async function awaitValue(ip: string, port: number | string, expected: string, timeoutMs = 20_000): Promise<string | undefined> {
  let last: string | undefined;
  await waitFor(async () => (last = await readValue(ip, port)) === expected, `GET http://${ip}:${port}/f = ${expected}`, timeoutMs, 100).catch(() => undefined);
  return last;
}

/** Runs a command in a container through the Docker API; resolves to its exit code and output. */
export async function dockerExec(docker: Docker, container: string, cmd: readonly string[]): Promise<{ exitCode: number | null; output: string }> {
  const exe = await docker.getContainer(container).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
  const stream = await exe.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  const info = await waitFor(async () => {
    const i = await exe.inspect();
    return i.Running ? undefined : i;
  }, `exec ${cmd.join(' ')} to finish`, 10_000);
  return { exitCode: info.ExitCode, output: Buffer.concat(chunks).toString('utf8') };
}

/** Writes `value` to `/www/f` inside `container` (from outside its start command). */
export async function writeValue(docker: Docker, container: string, value: string): Promise<void> {
  const r = await dockerExec(docker, container, ['sh', '-c', `echo ${value} > /www/f && sync`]);
  if (r.exitCode !== 0) throw new Error(`writing ${value} in ${container} failed (${r.exitCode}): ${r.output}`);
}

export async function containerRunning(docker: Docker, container: string): Promise<boolean> {
  try {
    return (await docker.getContainer(container).inspect()).State.Running === true;
  } catch {
    return false;
  }
}

/** The host port (inside the instance's namespace) Docker published for the container's 8080. */
export async function publishedPort(docker: Docker, container: string): Promise<string | undefined> {
  try {
    const ports = (await docker.getContainer(container).inspect()).NetworkSettings.Ports as Record<string, Array<{ HostPort: string }> | null> | undefined;
    return ports?.['8080/tcp']?.find((b) => b.HostPort)?.HostPort;
  } catch {
    return undefined;
  }
}

/** One kernel (replaceable by `reboot`) on one pool, with everything it made cleaned up at teardown. */
export interface World {
  readonly backend: Backend;
  readonly dir: string;
  readonly settings: Record<string, unknown>;
  readonly kernel: Kernel;
  /** An instance name `<RUN_PREFIX><suffix>`, remembered for the teardown. */
  name(suffix: string): string;
  /** Remembers a name made elsewhere (e.g. by a child process) for the teardown. */
  track(name: string): void;
  /** Closes the current kernel (instances keep running) and boots a new one on the same dirs. */
  reboot(): Promise<Kernel>;
  /** Closes the kernel without booting another (a child process takes over). */
  closeKernel(): Promise<void>;
  /** Where the pool lives: the btrfs mountpoint, or the zfs pool name. */
  readonly pool: string;
  docker(rec: Pick<InstanceRecord, 'socket'>): Docker;
  nsIp(rec: Pick<InstanceRecord, 'subnet'>): string;
  /** Creates an instance, loads the busybox image and runs the test container `web` (writes `value` once, port 8080). */
  createWithWeb(name: string, value: string): Promise<{ rec: InstanceRecord; docker: Docker; ip: string; ms: number }>;
  /** Snapshot labels of an instance as the storage shows them (btrfs subvolumes / zfs snapshots). */
  storageSnapshots(name: string): string[];
  /** Whether the instance's subvolume / dataset exists, read from the host. */
  storageHas(name: string): boolean;
  /** Everything of the instance still on the host (and in state): empty when it is completely gone. */
  leftovers(name: string): Promise<string[]>;
}

let zpools = 0;

/**
 * Opens a world: temp dir, settings, kernel. Its teardown is registered on `t` before
 * anything is created, and runs even when the test failed half-way.
 */
export async function openWorld(t: Test, options: WorldOptions): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-e2e-${options.label}-`));
  const label = `${options.label}${++zpools}`;
  const settings = worldSettings(dir, { ...options, label });
  const names: string[] = [];
  let tk: TestKernel | undefined;
  const log = process.env['DOCKERSNAP_TEST_LOG'] ? createLogger({ level: process.env['DOCKERSNAP_TEST_LOG'], destination: process.stderr }) : silentLogger();
  const boot = async (): Promise<Kernel> => {
    mkdirSync(join(dir, 'plugins'), { recursive: true });
    tk = await startTestKernel({ builtins: true, pluginDir: options.pluginDir ?? null, plugins: options.plugins ?? [], settings, log });
    return tk.kernel;
  };
  const zfs = settings['zfs'] as { pool: string; mountpoint_root: string } | undefined;
  const btrfsMount = join(dir, 'data', 'btrfs');
  const pool = options.backend === 'btrfs' ? btrfsMount : zfs!.pool;

  t.teardown(async () => {
    if (tk) {
      for (const name of [...names].reverse()) await tk.kernel.instances.delete(name).result.catch(() => undefined);
      await tk.close().catch(() => undefined);
      tk = undefined;
    }
    await forceClean({ dir, names, zpool: zfs?.pool });
  });

  const storageSnapshots = (name: string): string[] => {
    if (options.backend === 'btrfs') {
      const prefix = `snapshots/${name}/`;
      return btrfsPaths(btrfsMount).filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)).filter((l) => !l.includes('/'));
    }
    const ds = `${pool}/instances/${name}`;
    return sh('zfs', ['list', '-H', '-o', 'name', '-t', 'snapshot', '-s', 'creation', '-r', ds]).split('\n').filter((l) => l.startsWith(`${ds}@`)).map((l) => l.slice(ds.length + 1));
  };
  const storageHas = (name: string): boolean =>
    options.backend === 'btrfs' ? btrfsPaths(btrfsMount).includes(`instances/${name}`) : succeeds('zfs', ['list', '-H', '-o', 'name', `${pool}/instances/${name}`]);

  const world: World = {
    backend: options.backend,
    dir,
    settings,
    get kernel() {
      if (!tk) throw new Error('the world has no kernel (closed)');
      return tk.kernel;
    },
    pool,
    name(suffix) {
      const n = `${RUN_PREFIX}${suffix}`;
      world.track(n);
      return n;
    },
    track(n) {
      if (!names.includes(n)) names.push(n);
    },
    async reboot() {
      await tk?.close();
      tk = undefined;
      return boot();
    },
    async closeKernel() {
      await tk?.close();
      tk = undefined;
    },
    docker: (rec) => new Docker({ socketPath: rec.socket }),
    nsIp: (rec) => linkAddresses(rec.subnet).nsIp,
    async createWithWeb(name, value) {
      const t0 = Date.now();
      const rec = await run(world.kernel.instances.create({ name }));
      const ms = Date.now() - t0;
      const docker = world.docker(rec);
      await buildBusyboxImage(docker);
      await runTestContainer(docker, { name: 'web', port: 8080, value });
      return { rec, docker, ip: world.nsIp(rec), ms };
    },
    storageSnapshots,
    storageHas,
    async leftovers(name) {
      const out: string[] = [];
      if (tk && (await tk.kernel.instances.list()).some((i) => i.name === name)) out.push(`state row ${name}`);
      out.push(...hostLeftovers(name, { dir, run: join(dir, 'run'), data: join(dir, 'data') }));
      if (storageHas(name)) out.push(`${options.backend} dataset of ${name}`);
      for (const label of storageSnapshots(name)) out.push(`${options.backend} snapshot ${name}@${label}`);
      // btrfs reverts swap through `instances/.<name>.revert-<id>` / `.old-<id>`: none may stay behind.
      if (options.backend === 'btrfs') for (const p of btrfsPaths(btrfsMount).filter((p) => p.startsWith(`instances/.${name}.`))) out.push(`btrfs subvolume ${p}`);
      return out;
    },
  };
  await boot();
  return world;
}

/** Paths of every subvolume of the btrfs mounted at `mount` (relative to its top level). */
function btrfsPaths(mount: string): string[] {
  return sh('btrfs', ['subvolume', 'list', mount]).split('\n').map((l) => /\bpath (.+)$/.exec(l)?.[1] ?? '').filter(Boolean);
}

/**
 * Host pieces of one instance that are still there: namespace, veths, iptables rules with its
 * exact comment, mounts with its name as a path component, dockerd/containerd/shim processes,
 * container cgroups, socket, pid file and daemon.json. Read from the host, not the product.
 */
export function hostLeftovers(name: string, paths: { dir: string; run: string; data: string }): string[] {
  const out: string[] = [];
  const n = netnsNames(name);
  if (netnsList().includes(n.ns)) out.push(`netns ${n.ns}`);
  for (const link of [n.hostVeth, n.tempPeer]) if (linkExists(link)) out.push(`link ${link}`);
  for (const table of ['nat', 'filter'] as const) for (const rule of taggedRules(table, n.comment)) out.push(`iptables(${table}) ${rule}`);
  const mine = (p: string) => p.split('/').some((part) => part === name || part === n.ns);
  for (const mp of allMountPoints().filter(mine)) out.push(`mount ${mp}`);
  const execRoot = join(paths.run, 'exec', name);
  const needles = [`${name}.json`, `${execRoot}/`, `/instances/${name}/`];
  for (const p of processesWith(paths.dir)) {
    if (needles.some((needle) => p.cmdline.includes(needle))) out.push(`process ${p.pid}: ${p.cmdline.slice(0, 160)}`);
  }
  for (const p of processesWith(`/${name}/`).filter((p) => /dockerd|containerd|shim|fuse-overlayfs/.test(p.cmdline))) {
    if (!out.some((o) => o.startsWith(`process ${p.pid}:`))) out.push(`process ${p.pid}: ${p.cmdline.slice(0, 160)}`);
  }
  for (const pid of cgroupPids(`dockersnap-${name}`)) out.push(`cgroup task ${pid}`);
  for (const d of cgroupDirs(`dockersnap-${name}`)) out.push(`cgroup ${d}`);
  for (const file of [join(paths.run, `${name}.sock`), join(paths.run, `${name}.pid`), execRoot, join(paths.data, 'daemon-configs', `${name}.json`), join(paths.data, 'logs', `${name}.log`)]) {
    if (existsSync(file)) out.push(`file ${file}`);
  }
  return out;
}

function allMountPoints(): string[] {
  const decode = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return sh('cat', ['/proc/self/mountinfo']).split('\n').map((l) => decode(l.split(' ')[4] ?? '')).filter(Boolean);
}

/**
 * Last-resort cleanup, whatever state the test left: processes pointing into the dir (dockerd,
 * containerd, shims, fuse-overlayfs — by pid), container cgroups, namespaces and rules by exact
 * names, the zfs pool, then mounts below the dir deepest first, loop devices and the dir.
 */
export async function forceClean(c: { dir: string; names: readonly string[]; zpool?: string | undefined }): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const procs = processesWith(c.dir).filter((p) => !/^zfs-fuse/.test(p.cmdline));
    if (procs.length === 0) break;
    killPids(procs.map((p) => p.pid));
    await waitFor(() => procs.every((p) => !pidAlive(p.pid)), 'killed processes to exit', 5000).catch(() => undefined);
  }
  for (const name of c.names) forceRemoveCgroup(`dockersnap-${name}`);
  for (const name of c.names) {
    const n = netnsNames(name);
    forceRemoveNetns(n.ns, [n.hostVeth, n.tempPeer], n.comment);
  }
  if (c.zpool) await destroyTestPool(c.zpool, c.dir);
  await cleanupDir(c.dir);
}
