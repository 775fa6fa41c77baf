import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { pingOk } from './docker-client.js';

export interface ReadyOptions {
  socket: string;
  deadlineMs: number;
  /** True once the process being waited for has exited: no point waiting further. */
  exited: () => boolean;
  signal?: AbortSignal | undefined;
}

export type ReadyResult = { ready: true; attempts: number } | { ready: false; attempts: number; reason: string };

/**
 * Polls `GET /_ping` on the socket with a growing interval (25 ms → 500 ms) until it answers,
 * the process exits, the deadline passes or the signal aborts.
 */
export async function waitUntilReady(options: ReadyOptions): Promise<ReadyResult> {
  const deadline = Date.now() + options.deadlineMs;
  let interval = 25;
  for (let attempts = 1; ; attempts++) {
    if (await pingOk(options.socket, Math.min(2000, Math.max(100, deadline - Date.now())))) return { ready: true, attempts };
    if (options.exited()) return { ready: false, attempts, reason: 'dockerd exited before its API answered' };
    if (options.signal?.aborted) return { ready: false, attempts, reason: 'the start was cancelled' };
    if (Date.now() >= deadline) return { ready: false, attempts, reason: `its API on ${options.socket} did not answer within ${options.deadlineMs / 1000}s (${attempts} attempts)` };
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(interval * 2, 500);
  }
}

/** Size of a file, 0 when it does not exist (the offset a new log excerpt starts at). */
export async function fileSize(file: string): Promise<number> {
  return stat(file).then((s) => s.size, () => 0);
}

/** The last `lines` lines written to `file` since byte `from` (at most 64 KiB are read). */
export async function logTail(file: string, from: number, lines = 20): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const size = (await handle.stat()).size;
    const start = Math.max(from, size - 65536);
    const buf = Buffer.alloc(Math.max(0, size - start));
    await handle.read(buf, 0, buf.length, start);
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}
