import { join } from 'node:path';

/** Where one instance's dockerd keeps its files (instance-lifecycle §1, §15). */
export interface DockerdPaths {
  /** `<run_dir>/<name>.sock` */
  socket: string;
  /** `<run_dir>/<name>.pid`; the name must stay `<name>.pid` (the original's probe relies on it). */
  pidFile: string;
  /** `<run_dir>/exec/<name>` */
  execRoot: string;
  /** `<config_dir>/<name>.json` (the daemon.json). */
  configFile: string;
  /** `<log_dir>/<name>.log`: dockerd's stdout and stderr, appended. */
  logFile: string;
}

export interface DockerdDirs {
  runDir: string;
  configDir: string;
  logDir: string;
}

/** Derives every path of an instance's dockerd. Pure. */
export function dockerdPaths(dirs: DockerdDirs, instance: string): DockerdPaths {
  return {
    socket: join(dirs.runDir, `${instance}.sock`),
    pidFile: join(dirs.runDir, `${instance}.pid`),
    execRoot: join(dirs.runDir, 'exec', instance),
    configFile: join(dirs.configDir, `${instance}.json`),
    logFile: join(dirs.logDir, `${instance}.log`),
  };
}

/** The cgroup parent of the instance's containers (cgroupfs driver). */
export function cgroupParent(instance: string): string {
  return `/dockersnap-${instance}`;
}
