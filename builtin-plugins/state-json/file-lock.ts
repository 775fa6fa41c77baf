import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DsError } from '../../kernel/errors.js';

/**
 * A lock that holds across processes (the daemon and, say, a maintenance CLI on one host):
 * an exclusive lock file created with O_EXCL holding `"<pid> <start time>"`. Node has no
 * flock(2); O_EXCL creation is atomic on local filesystems.
 *
 * A holder that died leaves its file behind, so a waiter checks the recorded pid: gone, or
 * alive but with another start time (the pid was reused — a restarted container's daemon
 * is pid 1 again), means stale. Only one waiter at a time may remove a stale lock: it must
 * first create `<lock>.break` (also O_EXCL) and re-read the lock under it, so two waiters can
 * never both delete and then both create. Host-local only: the pid means nothing elsewhere.
 */

export interface FileLockOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Shown in the timeout message (the file the lock protects). */
  resource: string;
}

/** A lock file with no readable owner is trusted this long (its owner may be between open and write). */
const ANONYMOUS_GRACE_MS = 2_000;
/** A `.break` file older than this belongs to a waiter that died while breaking; anyone may remove it. */
const BREAKER_STALE_MS = 1_000;

let ownStamp: string | undefined;

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined off Linux. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function stamp(): string {
  ownStamp ??= `${process.pid} ${startTimeOf(process.pid) ?? '-'}\n`;
  return ownStamp;
}

/** Creates `path` (and its directory) with O_EXCL and writes `content`. False when it already exists. */
function createExclusive(path: string, content: string, madeDir = false): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT' || madeDir) throw err;
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 }); // first use: the state dir may not exist yet
    return createExclusive(path, content, true);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readOrUndefined(path: string): { content: string; mtimeMs: number } | undefined {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    return { content: readFileSync(path, 'utf8'), mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function isAlive(pid: number, startTime: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === undefined || startTime === '-') return true;
  const now = startTimeOf(pid);
  return now === undefined || now === startTime;
}

/** The holder's pid, and whether the lock is stale (its holder is gone). */
function inspect(content: string, mtimeMs: number): { pid?: number; stale: boolean } {
  const [pidText, startTime] = content.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return { stale: Date.now() - mtimeMs > ANONYMOUS_GRACE_MS };
  return { pid, stale: !isAlive(pid, startTime) };
}

/**
 * Removes the lock if it still holds exactly `content`, under the `.break` file. Returns
 * false when another waiter is breaking it (the caller then waits like any waiter).
 */
function breakStale(lockPath: string, content: string): boolean {
  const breaker = `${lockPath}.break`;
  if (!createExclusive(breaker, stamp())) {
    const seen = readOrUndefined(breaker);
    if (seen !== undefined && Date.now() - seen.mtimeMs > BREAKER_STALE_MS) unlinkIfPresent(breaker);
    return false;
  }
  try {
    if (readOrUndefined(lockPath)?.content === content) unlinkIfPresent(lockPath);
  } finally {
    unlinkIfPresent(breaker);
  }
  return true;
}

function busy(lockPath: string, options: FileLockOptions, pid: number | undefined): DsError {
  const who = pid === undefined ? 'another process' : `pid ${pid}`;
  return new DsError(
    'DS_ERR_BUSY',
    `${options.resource} is locked by ${who} (lock file ${lockPath}); gave up after ${options.timeoutMs} ms. If no such process runs, delete the lock file.`,
    { details: { lock: lockPath, pid } },
  );
}

/**
 * Takes the lock, waiting with capped exponential backoff. Returns the release function
 * (call it exactly once).
 * @throws DsError DS_ERR_BUSY, naming the holder pid, when `timeoutMs` passes.
 */
export async function acquireFileLock(lockPath: string, options: FileLockOptions): Promise<() => void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 1;
  for (;;) {
    if (createExclusive(lockPath, stamp())) return () => unlinkIfPresent(lockPath);
    const seen = readOrUndefined(lockPath);
    if (seen === undefined) continue; // released between our open and our read
    const holder = inspect(seen.content, seen.mtimeMs);
    if (holder.stale && breakStale(lockPath, seen.content)) continue;
    if (Date.now() >= deadline) throw busy(lockPath, options, holder.pid);
    await sleep(delay * (0.5 + Math.random())); // jitter: waiters must not retry in lockstep
    delay = Math.min(delay * 2, 50);
  }
}
