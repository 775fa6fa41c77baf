import type Docker from 'dockerode';
import type { ContainerPorts } from './published-ports.js';

/**
 * A dockerode client for one instance socket; dockerode is imported on first use so that
 * loading the plugin costs nothing until a scan runs.
 * @param timeoutMs per-request timeout; omit for streams (events) that stay open.
 */
export async function dockerClient(socketPath: string, timeoutMs?: number): Promise<Docker> {
  const { default: Dockerode } = await import('dockerode');
  return new Dockerode(timeoutMs === undefined ? { socketPath } : { socketPath, timeout: timeoutMs });
}

/**
 * The published ports of every running container (`docker ps` + `inspect` →
 * `NetworkSettings.Ports`). A container that vanishes between the list and its inspect is
 * left out.
 * @throws the dockerode error when the daemon does not answer (the caller treats that as
 * "nothing to do").
 */
export async function scanPublished(socketPath: string, timeoutMs: number): Promise<ContainerPorts[]> {
  const docker = await dockerClient(socketPath, timeoutMs);
  const running = await docker.listContainers();
  const inspected = await Promise.all(
    running.map(async (c): Promise<ContainerPorts | undefined> => {
      try {
        const info = await docker.getContainer(c.Id).inspect();
        return { id: info.Id, ports: info.NetworkSettings?.Ports ?? null };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    }),
  );
  return inspected.filter((c): c is ContainerPorts => c !== undefined);
}
