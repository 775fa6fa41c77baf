import type Docker from 'dockerode';
import { buildBusyboxImage as buildImage } from '../host/images.js';

/**
 * Test containers on the registry-free busybox image of `plugin-sdk/host/images.ts`
 * (re-exported here for tests).
 */
export { busyboxArchive, busyboxLayer, BUSYBOX_APPLETS } from '../host/images.js';

/** The tag `buildBusyboxImage` uses by default. */
export const TEST_IMAGE = 'dockersnap/busybox:test';

/**
 * Builds the busybox image and loads it into `docker` under `tag` (default TEST_IMAGE).
 * @returns the image id.
 */
export function buildBusyboxImage(docker: Docker, tag = TEST_IMAGE, busyboxPath?: string): Promise<string> {
  return buildImage(docker, tag, busyboxPath);
}

export interface TestContainerOptions {
  /** Container name (Docker rejects one-character names). */
  name: string;
  image?: string;
  /** Host port (inside the instance's namespace) published to the container's 8080. */
  port?: number;
  restart?: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /**
   * true (default): PID 1 is a shell that traps TERM, so `docker stop` is immediate.
   * false: PID 1 is `httpd` itself, which ignores TERM as PID 1 — every stop costs the
   * whole stop timeout (the trap the style guide measured).
   */
  trapTerm?: boolean;
  /** Written to `/www/f` only if it does not exist yet (so a restart does not rewrite it). */
  value?: string;
}

/** The shell command of the test container: write `/www/f` once, serve `/www` on 8080. */
export function testContainerScript(value = 'v1', trapTerm = true): string {
  const init = `mkdir -p /www; [ -f /www/f ] || echo ${value} > /www/f`;
  return trapTerm ? `${init}; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait $!` : `${init}; exec httpd -f -p 8080 -h /www`;
}

/**
 * Creates and starts the standard test container: `GET http://<ip>:<port>/f` answers the
 * value written on its first start.
 * @returns the container id.
 */
export async function runTestContainer(docker: Docker, options: TestContainerOptions): Promise<string> {
  const port = options.port;
  const container = await docker.createContainer({
    name: options.name,
    Image: options.image ?? TEST_IMAGE,
    Cmd: ['sh', '-c', testContainerScript(options.value, options.trapTerm ?? true)],
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: {
      RestartPolicy: { Name: options.restart ?? 'no' },
      ...(port === undefined ? {} : { PortBindings: { '8080/tcp': [{ HostPort: String(port) }] } }),
    },
  });
  await container.start();
  return container.id;
}
