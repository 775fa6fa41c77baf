import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface LaunchSpec {
  /** `/run/netns/ds-<name>`: dockerd runs in this network namespace. */
  netnsPath: string;
  configFile: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  env: Record<string, string>;
}

export interface Launched {
  pid: number;
  child: ChildProcess;
}

/**
 * Starts `nsenter --net=<ns> dockerd --config-file <file>` detached: its own process group,
 * no stdin, output appended to the log, not keeping this process alive. nsenter execs
 * dockerd, so the pid is dockerd's. (`ip netns exec` would remount /sys and dockerd would
 * fail with "Devices cgroup isn't mounted".) A direct spawn, not the exec wrapper: that
 * one waits for the command to finish.
 * @throws Error when the process cannot be spawned at all (e.g. nsenter missing).
 */
export async function launchDockerd(spec: LaunchSpec): Promise<Launched> {
  const fd = openSync(spec.logFile, 'a', 0o640);
  try {
    const child = spawn('nsenter', [`--net=${spec.netnsPath}`, 'dockerd', '--config-file', spec.configFile], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: spec.env,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return { pid: child.pid!, child };
  } finally {
    closeSync(fd);
  }
}
