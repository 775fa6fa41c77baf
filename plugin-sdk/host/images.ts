import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Pack } from 'tar-stream';

/**
 * Images without a registry: a one-layer image made from the host's static busybox, loaded
 * into a dockerd as a docker-archive. Needs `busybox-static` (`/bin/busybox`). Used by the
 * echo workload (its service image) and by the test helpers.
 */

/** Applets linked into `/bin` (all resolve to the one busybox binary). */
export const BUSYBOX_APPLETS = ['sh', 'sleep', 'echo', 'cat', 'httpd', 'nc', 'wget', 'mkdir', 'ls', 'date', 'rm', 'touch', 'kill', 'ps', 'true', 'false', 'test', '[', 'grep', 'env', 'id', 'sync'] as const;

const EPOCH = new Date(0);
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

async function tarOf(fill: (p: Pack) => void): Promise<Buffer> {
  // Imported here: every plugin that imports the SDK would otherwise load tar-stream at boot.
  const { pack } = await import('tar-stream');
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
export async function buildBusyboxImage(docker: Docker, tag: string, busyboxPath?: string): Promise<string> {
  const archive = await busyboxArchive(tag, busyboxPath);
  const res = await docker.loadImage(Readable.from([archive]), { quiet: true });
  let out = '';
  for await (const chunk of res as AsyncIterable<Buffer>) out += chunk.toString();
  const failure = /"error(?:Detail)?":\s*(?:\{"message":)?"([^"]+)"/.exec(out);
  if (failure) throw new Error(`loading ${tag} failed: ${failure[1]}`);
  return (await docker.getImage(tag).inspect()).Id;
}
