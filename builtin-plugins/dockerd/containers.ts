import type { Logger } from '../../plugin-sdk/index.js';
import { dockerClient } from './docker-client.js';

/** A readable list: `web, db, cache` (at most `max` names, then `and N more`). */
export function nameList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/**
 * Stops every running container through the API, in parallel, each with `timeoutSec`
 * before Docker kills it, and says what it waits on. An explicit stop marks containers
 * user-stopped: `always` containers come back on the next daemon start, `unless-stopped`
 * ones do not (Docker's rule).
 * @returns the names of the containers that did not stop cleanly.
 */
export async function stopRunningContainers(socket: string, timeoutSec: number, onProgress: (message: string) => void, log: Logger): Promise<string[]> {
  const docker = await dockerClient(socket, (timeoutSec + 30) * 1000);
  const running = await docker.listContainers();
  if (running.length === 0) {
    onProgress('no running containers');
    return [];
  }
  const names = running.map((c) => (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''));
  onProgress(`waiting up to ${timeoutSec}s for ${running.length} container${running.length === 1 ? '' : 's'}: ${nameList(names)}`);
  const results = await Promise.allSettled(running.map((c) => docker.getContainer(c.Id).stop({ t: timeoutSec })));
  const failed: string[] = [];
  results.forEach((r, i) => {
    // 304: already stopped meanwhile.
    if (r.status === 'rejected' && (r.reason as { statusCode?: number }).statusCode !== 304) {
      failed.push(names[i]!);
      log.warn({ container: names[i], err: String((r.reason as Error).message ?? r.reason) }, 'container did not stop cleanly');
    }
  });
  return failed;
}
