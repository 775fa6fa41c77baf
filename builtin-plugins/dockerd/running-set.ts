import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../plugin-sdk/index.js';
import { dockerClient } from './docker-client.js';

/**
 * Which containers were running when the instance was stopped, kept *inside* the data root:
 * a snapshot captures it, so after a revert or in a clone exactly the containers that ran
 * at snapshot time run again — whatever their restart policy (an API stop marks containers
 * user-stopped, and Docker would not bring back `unless-stopped` or `no` ones).
 */
export const RUNNING_SET_FILE = '.dockersnap-running.json';

interface RunningRecord {
  running: string[];
  /** Set while the stop that wrote the record has not finished (its process may have died in it). */
  stopping?: true;
}

async function readRecord(dataRoot: string): Promise<RunningRecord | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(dataRoot, RUNNING_SET_FILE), 'utf8')) as { running?: unknown; stopping?: unknown };
    const running = Array.isArray(doc.running) ? doc.running.filter((x): x is string => typeof x === 'string') : [];
    return doc.stopping === true ? { running, stopping: true } : { running };
  } catch {
    return undefined;
  }
}

async function writeRecord(dataRoot: string, record: RunningRecord): Promise<void> {
  await mkdir(dataRoot, { recursive: true });
  const file = join(dataRoot, RUNNING_SET_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(record));
  await rename(`${file}.tmp`, file);
}

/**
 * Records the containers running now, before a stop stops them. If the previous stop never
 * finished (the managing process died after it had stopped some containers), its containers
 * are kept too: they ran before that stop, and a plain overwrite would forget them.
 */
export async function recordRunning(dataRoot: string, ids: readonly string[]): Promise<void> {
  const previous = await readRecord(dataRoot);
  const running = previous?.stopping ? [...new Set([...previous.running, ...ids])] : [...ids];
  await writeRecord(dataRoot, { running, stopping: true });
}

/** Marks the recorded stop as finished (dockerd gone, cleaned up): the next stop replaces the set. */
export async function finishRecord(dataRoot: string): Promise<void> {
  const previous = await readRecord(dataRoot);
  if (previous?.stopping) await writeRecord(dataRoot, { running: previous.running });
}

export async function readRunning(dataRoot: string): Promise<string[]> {
  return (await readRecord(dataRoot))?.running ?? [];
}

/**
 * Starts the recorded containers that are not running (restart policies may already have
 * started some). A container that no longer exists or fails to start is logged, not fatal.
 * @returns the ids it started.
 */
export async function restoreRunning(socket: string, dataRoot: string, log: Logger): Promise<string[]> {
  const wanted = await readRunning(dataRoot);
  if (wanted.length === 0) return [];
  const docker = await dockerClient(socket, 60_000);
  const running = new Set((await docker.listContainers()).map((c) => c.Id));
  const started: string[] = [];
  for (const id of wanted.filter((w) => !running.has(w))) {
    try {
      await docker.getContainer(id).start();
      started.push(id);
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 304) log.warn({ container: id.slice(0, 12), err: (err as Error).message }, 'could not restart a container that was running before the stop');
    }
  }
  return started;
}
