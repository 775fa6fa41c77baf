import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DsError, type DockerdInfo, type DockerdSpec, type DockerdSupervisor, type DockersnapConfig, type Exec, type Logger, type StopOptions } from '../../plugin-sdk/index.js';
import { stopRunningContainers } from './containers.js';
import { configuredDataRoot, prepareStart } from './daemon-files.js';
import { dockerdEnv } from './daemon-json.js';
import { dockerClient, pingOk } from './docker-client.js';
import { launchDockerd } from './launcher.js';
import { cgroupParent, dockerdPaths, type DockerdPaths } from './paths.js';
import { findProcesses, isDockerdFor, killGroup, pidAlive, readArgv, readPidFile, signal, waitForExit } from './proc.js';
import { fileSize, logTail, waitUntilReady } from './readiness.js';
import { KeyedLock } from './keyed-lock.js';
import { finishRecord, recordRunning, restoreRunning } from './running-set.js';
import { SpecStore } from './spec-store.js';
import { isShimIn, netnsIdOf, netnsIdOfPath, sweepInstance, type SweepTarget } from './sweep.js';
import { DockerdWatcher, type WatchPolicy, type WatchStatus } from './watcher.js';

/** The daemon-wide settings the supervisor reads. */
export type HostDockerdSettings = Pick<DockersnapConfig, 'run_dir' | 'data_dir' | 'docker'>;

export interface HostDockerdOptions {
  /** How long `start` waits for the API (default 60 s). */
  readyTimeoutMs?: number;
  /** SIGTERM → SIGKILL deadline for dockerd itself (default 60 s, systemd's TimeoutStopSec). */
  daemonStopTimeoutMs?: number;
  /** Default per-container stop timeout (default 10 s); `StopOptions.containerTimeoutSec` wins. */
  containerStopTimeoutSec?: number;
  /** daemon.json directory (default `<data_dir>/daemon-configs`). */
  configDir?: string;
  /** dockerd log directory (default `<data_dir>/logs`). */
  logDir?: string;
  /** File system types below a data root that the storage layer owns (default zfs, fuse.zfs, btrfs). */
  preserveFsTypes?: readonly string[];
  /** Supervision policy, or false for none. */
  watch?: Partial<WatchPolicy> | false;
  /** resolv.conf files for host DNS servers (tests). */
  resolvFiles?: readonly string[];
  /** Where the last spec per instance is kept for `adoptRunning` (the plugin's state dir); unset: not kept. */
  stateDir?: string;
}

const DEFAULT_WATCH: WatchPolicy = { intervalMs: 1000, maxRestarts: 5, windowMs: 600_000, backoffMs: 1000, maxBackoffMs: 30_000 };
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * One dockerd per instance, without systemd: launched detached inside the instance's network
 * namespace, ready when its API answers, watched and restarted when it dies, and stopped
 * robustly (containers → `beforeDaemonStop` → SIGTERM/SIGKILL → orphans, mounts, cgroups).
 * Operations on one instance are serialised.
 */
export class HostDockerd implements DockerdSupervisor {
  private readonly specs = new Map<string, DockerdSpec>();
  private readonly children = new Map<string, number>();
  private readonly locks = new KeyedLock();
  private readonly watcher: DockerdWatcher | undefined;
  private readonly dirs: { runDir: string; configDir: string; logDir: string };
  private readonly store: SpecStore | undefined;

  constructor(
    private readonly exec: Exec,
    private readonly log: Logger,
    private readonly settings: HostDockerdSettings,
    private readonly options: HostDockerdOptions = {},
  ) {
    this.dirs = {
      runDir: settings.run_dir,
      configDir: options.configDir || join(settings.data_dir, 'daemon-configs'),
      logDir: options.logDir || join(settings.data_dir, 'logs'),
    };
    this.store = options.stateDir ? new SpecStore(join(options.stateDir, 'specs')) : undefined;
    this.watcher =
      options.watch === false
        ? undefined
        : new DockerdWatcher({ ...DEFAULT_WATCH, ...options.watch }, { alive: (i) => this.livePid(i) !== undefined, restart: (i) => this.restart(i) }, log);
  }

  paths(instance: string): DockerdPaths {
    return dockerdPaths(this.dirs, instance);
  }

  socketPath(instance: string): string {
    return this.paths(instance).socket;
  }

  pidFile(instance: string): string {
    return this.paths(instance).pidFile;
  }

  /** Where the instance's dockerd writes its output. */
  logFile(instance: string): string {
    return this.paths(instance).logFile;
  }

  /**
   * The pid of this instance's dockerd if one runs: our child, the pid file, or a /proc scan —
   * always checked to be dockerd with this instance's config file, and not a zombie.
   */
  livePid(instance: string): number | undefined {
    const { configFile, pidFile } = this.paths(instance);
    const ours = (pid: number | undefined) => pid !== undefined && pidAlive(pid) && isDockerdFor(readArgv(pid) ?? [], configFile);
    for (const pid of [this.children.get(instance), readPidFile(pidFile)]) if (ours(pid)) return pid;
    return findProcesses((argv) => isDockerdFor(argv, configFile))[0]?.pid;
  }

  async isRunning(instance: string): Promise<boolean> {
    return this.livePid(instance) !== undefined;
  }

  /** Supervision state of an instance (undefined when not watched). */
  watchStatus(instance: string): WatchStatus | undefined {
    return this.watcher?.status(instance);
  }

  /**
   * Starts the instance's dockerd, or adopts the one already running, and resolves when its
   * API answers. On failure nothing of the attempt is left running.
   * @throws DsError DS_ERR_DOCKERD with the last lines of the dockerd log.
   */
  async start(spec: DockerdSpec): Promise<DockerdInfo> {
    return this.locks.run(spec.instance, async () => {
      const info = await this.launch(spec);
      await this.store?.save(spec);
      this.watcher?.watch(spec.instance);
      const restored = await restoreRunning(info.socket, spec.dataRoot, this.log.child({ instance: spec.instance }));
      if (restored.length > 0) this.log.info({ instance: spec.instance, containers: restored.length }, 'restarted the containers that ran before the stop');
      return info;
    });
  }

  /**
   * Starts watching the daemons that already run for instances started earlier (by this
   * plugin before a reload, or before a daemon restart), using their stored specs.
   * @returns the adopted instance names.
   */
  async adoptRunning(): Promise<string[]> {
    const adopted: string[] = [];
    for (const spec of (await this.store?.list()) ?? []) {
      await this.locks.run(spec.instance, async () => {
        if (this.livePid(spec.instance) === undefined) return;
        this.specs.set(spec.instance, spec);
        this.watcher?.watch(spec.instance);
        adopted.push(spec.instance);
      });
    }
    if (adopted.length > 0) this.log.info({ instances: adopted }, 'watching dockerds that were already running');
    return adopted;
  }

  /**
   * Forgets an instance for good (instance delete): robust stop, then its daemon.json, log
   * and stored spec are removed. Idempotent.
   * @throws DsError DS_ERR_DOCKERD as `stop`.
   */
  async purge(instance: string): Promise<void> {
    await this.stop(instance);
    const p = this.paths(instance);
    for (const file of [p.configFile, p.logFile, `${p.logFile}.1`]) await rm(file, { force: true });
    await this.store?.remove(instance);
    this.specs.delete(instance);
  }

  /** Stops watching every instance (plugin unload). Daemons keep running: instances outlive us. */
  async close(): Promise<void> {
    await this.watcher?.close();
  }

  private async restart(instance: string): Promise<void> {
    await this.locks.run(instance, async () => {
      const spec = this.specs.get(instance);
      if (!this.watcher?.isWatching(instance) || !spec) return;
      await this.launch(spec);
    });
  }

  private async launch(spec: DockerdSpec): Promise<DockerdInfo> {
    const p = this.paths(spec.instance);
    this.specs.set(spec.instance, spec);
    const running = this.livePid(spec.instance);
    if (running !== undefined) return this.adopt(spec.instance, running);
    if (!existsSync(spec.netns.path)) {
      throw new DsError('DS_ERR_DOCKERD', `cannot start dockerd for "${spec.instance}": network namespace ${spec.netns.path} does not exist`, { details: { instance: spec.instance } });
    }
    await prepareStart(spec, p, this.settings.docker, this.options.resolvFiles);
    const from = await fileSize(p.logFile);
    const launched = await launchDockerd({ netnsPath: spec.netns.path, configFile: p.configFile, logFile: p.logFile, env: dockerdEnv(this.settings.docker.proxy) }).catch((err: unknown) => {
      throw new DsError('DS_ERR_DOCKERD', `cannot launch dockerd for "${spec.instance}": ${message(err)}`, { cause: err, details: { instance: spec.instance } });
    });
    this.children.set(spec.instance, launched.pid);
    launched.child.once('exit', () => this.watcher?.poke(spec.instance));
    const ready = await waitUntilReady({ socket: p.socket, deadlineMs: this.options.readyTimeoutMs ?? 60_000, exited: () => !pidAlive(launched.pid) });
    if (!ready.ready) return this.failStart(spec, launched.pid, from, ready.reason);
    this.log.info({ instance: spec.instance, pid: launched.pid, attempts: ready.attempts }, 'dockerd is ready');
    return { pid: launched.pid, socket: p.socket };
  }

  private async adopt(instance: string, pid: number): Promise<DockerdInfo> {
    const socket = this.socketPath(instance);
    const ready = await waitUntilReady({ socket, deadlineMs: this.options.readyTimeoutMs ?? 60_000, exited: () => !pidAlive(pid) });
    if (!ready.ready) throw new DsError('DS_ERR_DOCKERD', `dockerd for "${instance}" (pid ${pid}) is running but not ready: ${ready.reason}`, { details: { instance, pid } });
    return { pid, socket };
  }

  /**
   * Kills what the failed start launched, then throws with the log excerpt. When containers
   * of an earlier dockerd still run (their shims survived a crash) only this attempt's
   * dockerd and containerd go, so a later start can still adopt them; otherwise the full
   * sweep leaves nothing behind.
   */
  private async failStart(spec: DockerdSpec, pid: number, logFrom: number, reason: string): Promise<never> {
    const p = this.paths(spec.instance);
    await killGroup(pid);
    if (findProcesses((argv) => isShimIn(argv, p.execRoot)).length === 0) {
      await this.sweep(spec.instance, netnsIdOfPath(spec.netns.path), spec.dataRoot);
    } else {
      const containerd = findProcesses((argv) => basename(argv[0] ?? '') === 'containerd' && argv.some((a) => a.startsWith(`${p.execRoot}/`)));
      for (const c of containerd) signal(c.pid, 'SIGKILL');
      await waitForExit(containerd.map((c) => c.pid), 5000);
      this.log.warn({ instance: spec.instance }, 'containers of an earlier dockerd still run; they are left for the next start or stop');
    }
    this.children.delete(spec.instance);
    const tail = await logTail(p.logFile, logFrom);
    throw new DsError('DS_ERR_DOCKERD', `dockerd for "${spec.instance}" did not start: ${reason}${tail ? `; last lines of ${p.logFile}:\n${tail}` : ''}`, {
      details: { instance: spec.instance, logFile: p.logFile, log: tail },
    });
  }

  /**
   * Robust stop: running containers are stopped through the API (each with the container
   * timeout), then `beforeDaemonStop`, then SIGTERM → deadline → SIGKILL, then orphans,
   * mounts, cgroups and runtime files are cleaned up. Idempotent: a stopped instance gets
   * only the cleanup. A throwing `beforeDaemonStop` aborts the stop with dockerd running.
   * @throws DsError DS_ERR_DOCKERD when processes or mounts still hold the instance's directories.
   */
  async stop(instance: string, options: StopOptions = {}): Promise<void> {
    try {
      await this.locks.run(instance, () => this.halt(instance, options));
    } catch (err) {
      if (this.livePid(instance) !== undefined) this.watcher?.watch(instance);
      throw err;
    }
  }

  private async halt(instance: string, options: StopOptions): Promise<void> {
    // Inside the lock: a restart queued behind us sees the instance unwatched and does nothing.
    this.watcher?.forget(instance);
    const progress = options.onProgress ?? (() => undefined);
    const pid = this.livePid(instance);
    const netnsId = pid !== undefined ? netnsIdOf(pid) : netnsIdOfPath(this.specs.get(instance)?.netns.path);
    if (pid !== undefined) {
      await this.stopContainers(instance, options.containerTimeoutSec ?? this.options.containerStopTimeoutSec ?? 10, progress);
      await options.beforeDaemonStop?.();
      progress(`stopping dockerd (pid ${pid})`);
      await this.terminate(instance, pid);
    }
    const result = await this.sweep(instance, netnsId);
    this.children.delete(instance);
    if (result.leftovers.length > 0) {
      throw new DsError('DS_ERR_DOCKERD', `dockerd for "${instance}" stopped, but these still hold its directories: ${result.leftovers.join(', ')}`, { details: { instance, leftovers: result.leftovers } });
    }
    const dataRoot = this.specs.get(instance)?.dataRoot ?? (await configuredDataRoot(this.paths(instance).configFile));
    if (dataRoot && existsSync(dataRoot)) await finishRecord(dataRoot);
    progress('dockerd stopped');
  }

  private async stopContainers(instance: string, timeoutSec: number, progress: (m: string) => void): Promise<void> {
    const socket = this.socketPath(instance);
    if (!(await pingOk(socket))) {
      this.log.warn({ instance }, 'dockerd API does not answer; its containers will be killed after it stops');
      return;
    }
    const dataRoot = this.specs.get(instance)?.dataRoot ?? (await configuredDataRoot(this.paths(instance).configFile));
    if (dataRoot) {
      const running = await (await dockerClient(socket, 30_000)).listContainers();
      await recordRunning(dataRoot, running.map((c) => c.Id));
    }
    await stopRunningContainers(socket, timeoutSec, progress, this.log.child({ instance })).catch((err: unknown) => this.log.warn({ instance, err: message(err) }, 'stopping containers failed'));
  }

  private async terminate(instance: string, pid: number): Promise<void> {
    const deadline = this.options.daemonStopTimeoutMs ?? 60_000;
    signal(pid, 'SIGTERM');
    if (await waitForExit([pid], deadline)) return;
    this.log.warn({ instance, pid, deadlineMs: deadline }, 'dockerd did not exit after SIGTERM; killing it');
    signal(pid, 'SIGKILL');
    await waitForExit([pid], 10_000);
  }

  private async sweep(instance: string, netnsId: string | undefined, dataRoot?: string): Promise<{ leftovers: string[] }> {
    const p = this.paths(instance);
    const target: SweepTarget = {
      execRoot: p.execRoot,
      dataRoot: dataRoot ?? this.specs.get(instance)?.dataRoot ?? (await configuredDataRoot(p.configFile)),
      cgroupName: cgroupParent(instance).slice(1),
      netnsId,
      socket: p.socket,
      pidFile: p.pidFile,
    };
    const result = await sweepInstance(target, { exec: this.exec, log: this.log.child({ instance }), preserveFsTypes: this.options.preserveFsTypes ?? ['zfs', 'fuse.zfs', 'btrfs'] });
    if (result.killed.length + result.unmounted.length > 0) this.log.info({ instance, killed: result.killed, unmounted: result.unmounted }, 'cleaned up after dockerd');
    return result;
  }
}
