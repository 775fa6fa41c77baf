import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DockerdSpec, DockersnapConfig } from '../../plugin-sdk/index.js';
import { buildDaemonJson, hostResolvers } from './daemon-json.js';
import type { DockerdPaths } from './paths.js';
import { pidAlive, readPidFile } from './proc.js';

/** A log larger than this is moved to `<log>.1` before the next start. */
const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

/**
 * Prepares a start: directories, no stale pid file or socket (the caller has checked no
 * dockerd of this instance runs — a pid file naming a dead or zombie process makes dockerd
 * refuse to start), a rotated log, and a fresh daemon.json (regenerated on every start, so
 * a clone gets its own paths).
 */
export async function prepareStart(spec: DockerdSpec, paths: DockerdPaths, docker: DockersnapConfig['docker'], resolvFiles?: readonly string[]): Promise<void> {
  await mkdir(dirname(paths.socket), { recursive: true, mode: 0o755 });
  await mkdir(paths.execRoot, { recursive: true, mode: 0o700 });
  await mkdir(dirname(paths.configFile), { recursive: true, mode: 0o755 });
  await mkdir(dirname(paths.logFile), { recursive: true, mode: 0o755 });
  await rm(paths.pidFile, { force: true });
  await rm(paths.socket, { force: true });
  await dropStaleContainerdPid(paths.execRoot);
  const size = await stat(paths.logFile).then((s) => s.size, () => 0);
  if (size > LOG_ROTATE_BYTES) await rename(paths.logFile, `${paths.logFile}.1`);
  const config = buildDaemonJson(spec, paths, docker, await hostResolvers(resolvFiles));
  await writeFile(paths.configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
}

/**
 * After a dockerd crash its containerd may linger as a zombie (no reaping init here); dockerd
 * trusts `containerd.pid`, waits ~15 s for that "running" containerd and then fails. A pid
 * file naming a dead or zombie process is removed so dockerd starts a fresh containerd,
 * which re-attaches to the surviving shims (live-restore).
 */
export async function dropStaleContainerdPid(execRoot: string): Promise<void> {
  const file = join(execRoot, 'containerd', 'containerd.pid');
  const pid = readPidFile(file);
  if (pid !== undefined && !pidAlive(pid)) await rm(file, { force: true });
}

/** The data root a daemon.json names, when the file exists and parses. */
export async function configuredDataRoot(configFile: string): Promise<string | undefined> {
  if (!existsSync(configFile)) return undefined;
  try {
    const value = (JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>)['data-root'];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}
