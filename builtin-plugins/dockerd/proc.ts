import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * /proc reads. Liveness treats zombies as dead: PID 1 on hosts without systemd may not reap
 * orphans (a killed dockerd's containerd stays `<defunct>`), and `kill(pid, 0)` succeeds on a
 * zombie — which also makes dockerd refuse to start ("pid file found") if its pidfile
 * names one.
 */

/** The argv of a process, or undefined when it is gone. Zombies have an empty argv. */
export function readArgv(pid: number): string[] | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv;
  } catch {
    return undefined;
  }
}

/** True while `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether `argv` is dockerd started with exactly `configFile` — directly or still as the
 * `nsenter … dockerd --config-file <file>` that is about to exec it.
 */
export function isDockerdFor(argv: readonly string[], configFile: string): boolean {
  if (!argv.some((a) => basename(a) === 'dockerd')) return false;
  return argv.some((a, i) => (a === '--config-file' && argv[i + 1] === configFile) || a === `--config-file=${configFile}`);
}

/** Reads a pid file; undefined when missing or not a number. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every live process whose argv satisfies `match`, except this one. */
export function findProcesses(match: (argv: readonly string[]) => boolean): Array<{ pid: number; argv: string[] }> {
  const out: Array<{ pid: number; argv: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const argv = readArgv(pid);
    if (argv && argv.length > 0 && match(argv) && pidAlive(pid)) out.push({ pid, argv });
  }
  return out;
}

/** Sends a signal; false when the process is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Polls until none of `pids` is alive; resolves false when `timeoutMs` passes first. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let interval = 10;
  while (pids.some(pidAlive)) {
    if (Date.now() >= deadline) return false;
    await sleep(interval);
    interval = Math.min(interval * 2, 200);
  }
  return true;
}

/** SIGTERM, then SIGKILL, to the process group a detached launch created (5 s each). */
export async function killGroup(pid: number): Promise<void> {
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    signal(-pid, sig);
    if (await waitForExit([pid], 5000)) return;
  }
}
