import type Docker from 'dockerode';

/**
 * A dockerode client for one instance socket. dockerode is imported on first use so that
 * loading the plugin (and CLI start-up) does not pay for it.
 * @param timeoutMs per-request socket timeout; omit for long calls such as container stop.
 */
export async function dockerClient(socketPath: string, timeoutMs?: number): Promise<Docker> {
  const { default: Dockerode } = await import('dockerode');
  return new Dockerode(timeoutMs === undefined ? { socketPath } : { socketPath, timeout: timeoutMs });
}

/** True when the daemon on `socketPath` answers `GET /_ping`. Never throws. */
export async function pingOk(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  try {
    await (await dockerClient(socketPath, timeoutMs)).ping();
    return true;
  } catch {
    return false;
  }
}
