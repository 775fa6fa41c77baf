// Docker-side helpers of the runtime bench (all through dockerode): the three busybox test
// containers, data written inside one of them, and checks that data and containers are there.
import { PassThrough } from 'node:stream';

export const CONTAINERS = ['web1', 'web2', 'web3'];
/** The container that holds the written data, and where (its own file system: the snapshot and `docker commit` both cover it). */
export const DATA_CONTAINER = 'web1';
export const DATA_FILE = '/data.bin';
const MiB = 2 ** 20;

export async function dockerClient(socketPath) {
  const { default: Docker } = await import('dockerode');
  return new Docker({ socketPath, timeout: 600_000 });
}

/** Loads the busybox test image and starts the three test containers (PID 1 traps TERM unless `trapTerm: false`). */
export async function startTestContainers(images, docker, { trapTerm = true } = {}) {
  await images.buildBusyboxImage(docker);
  for (const name of CONTAINERS) await images.runTestContainer(docker, { name, trapTerm });
}

/** Runs `cmd` in `container`; resolves to its stdout. @throws with the output when it exits non-zero. */
export async function execIn(docker, container, cmd) {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  docker.modem.demuxStream(stream, out, err);
  await new Promise((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`${container}: ${cmd.join(' ')} exited ${ExitCode}: ${stderr || stdout}`);
  return stdout;
}

/** Writes `bytes` of random data (whole MiB) to DATA_FILE inside DATA_CONTAINER. */
export async function writeData(docker, bytes) {
  await execIn(docker, DATA_CONTAINER, ['busybox', 'dd', 'if=/dev/urandom', `of=${DATA_FILE}`, 'bs=1048576', `count=${Math.round(bytes / MiB)}`]);
}

/** Size of DATA_FILE in `container`, or -1 when it does not exist. */
export async function dataSize(docker, container = DATA_CONTAINER) {
  const out = await execIn(docker, container, ['sh', '-c', `ls -ln ${DATA_FILE} 2>/dev/null || true`]);
  const size = Number(out.trim().split(/\s+/)[4]);
  return Number.isFinite(size) ? size : -1;
}

/** @throws unless DATA_FILE in `container` has exactly `bytes`. */
export async function expectData(docker, bytes, what, container = DATA_CONTAINER) {
  const size = await dataSize(docker, container);
  if (size !== bytes) throw new Error(`${what}: ${container}:${DATA_FILE} has ${size} bytes, expected ${bytes}`);
}

/** Waits (up to `ms`) until `n` containers run; @throws naming the ones that do not. */
export async function expectRunning(docker, n, what, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const running = await docker.listContainers().catch(() => []);
    if (running.length >= n) return;
    if (Date.now() > end) throw new Error(`${what}: ${running.length} of ${n} containers run (${running.map((c) => c.Names[0]).join(', ') || 'none'})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
