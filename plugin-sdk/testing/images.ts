import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { pack, type Pack } from 'tar-stream';

/**
 * Test images without a registry: a one-layer image made from the host's static busybox,
 * loaded into a dockerd as a docker-archive. Needs `busybox-static` (`/bin/busybox`).
 */

/** The tag `buildBusyboxImage` uses by default. */
export const TEST_IMAGE = 'dockersnap/busybox:test';

/** Applets linked into `/bin` (all resolve to the one busybox binary). */
export const BUSYBOX_APPLETS = ['sh', 'sleep', 'echo', 'cat', 'httpd', 'nc', 'wget', 'mkdir', 'ls', 'date', 'rm', 'touch', 'kill', 'ps', 'true', 'false', 'test', '[', 'grep', 'env', 'id', 'sync'] as const;

const EPOCH = new Date(0);
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

async function tarOf(fill: (p: Pack) => void): Promise<Buffer> {
  const p = pack();
  fill(p);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The root file system: busybox, applet links, `/tmp`, `/www`, a minimal passwd/group. */
export async function busyboxLayer(busyboxPath = '/bin/busybox'): Promise<Buffer> {
  const busybox = await readFile(busyboxPath);
  return tarOf((p) => {
    const dir = (name: string, mode = 0o755) => p.entry({ name, type: 'directory', mode, mtime: EPOCH });
    const file = (name: string, body: Buffer | string, mode = 0o644) => p.entry({ name, mode, mtime: EPOCH }, body);
    for (const d of ['bin/', 'etc/', 'root/', 'www/', 'proc/', 'sys/', 'dev/']) dir(d);
    dir('tmp/', 0o1777);
    file('bin/busybox', busybox, 0o755);
    for (const applet of BUSYBOX_APPLETS) p.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox', mode: 0o777, mtime: EPOCH });
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    file('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  });
}

/** A docker-archive (`docker save` format) holding one image tagged `tag`. */
export async function busyboxArchive(tag: string, busyboxPath?: string): Promise<Buffer> {
  const layer = await busyboxLayer(busyboxPath);
  const diffId = sha256(layer);
  const config = JSON.stringify({
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    os: 'linux',
    created: EPOCH.toISOString(),
    config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [`sha256:${diffId}`] },
    history: [{ created: EPOCH.toISOString(), created_by: 'dockersnap buildBusyboxImage' }],
  });
  const configName = `${sha256(config)}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: [`${diffId}/layer.tar`] }]);
  return tarOf((p) => {
    p.entry({ name: configName, mtime: EPOCH }, config);
    p.entry({ name: `${diffId}/`, type: 'directory', mode: 0o755, mtime: EPOCH });
    p.entry({ name: `${diffId}/layer.tar`, mtime: EPOCH }, layer);
    p.entry({ name: 'manifest.json', mtime: EPOCH }, manifest);
  });
}

/**
 * Builds the busybox image and loads it into `docker` (no registry, no internet).
 * @returns the image id.
 * @throws Error with dockerd's message when the load fails.
 */
export async function buildBusyboxImage(docker: Docker, tag = TEST_IMAGE, busyboxPath?: string): Promise<string> {
  const archive = await busyboxArchive(tag, busyboxPath);
  const res = await docker.loadImage(Readable.from([archive]), { quiet: true });
  let out = '';
  for await (const chunk of res as AsyncIterable<Buffer>) out += chunk.toString();
  const failure = /"error(?:Detail)?":\s*(?:\{"message":)?"([^"]+)"/.exec(out);
  if (failure) throw new Error(`loading ${tag} failed: ${failure[1]}`);
  return (await docker.getImage(tag).inspect()).Id;
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
