import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';
import { createClient } from '../../plugin-sdk/client/index.js';
import { ROOT, RUN_PREFIX } from './fixtures.js';
import { cleanupDir } from './pools.js';

/** The built executable the tests run (npm run build first; npm test does). */
export const BIN = join(ROOT, 'bin', 'dockersnap.js');

/** Throws a clear message when the CLI has not been built. */
export function requireBuild(): void {
  if (!existsSync(join(ROOT, 'dist', 'bin', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` before these tests (npm test does)');
}

/** The test runner's environment without any DOCKERSNAP_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DOCKERSNAP_')));
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dockersnap <args>` in its own process and collects its output. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `probe` every 50 ms until it returns a value, or fails after `deadlineMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type ConfigTree = { [key: string]: unknown };

const isTree = (x: unknown): x is ConfigTree => typeof x === 'object' && x !== null && !Array.isArray(x);

function mergeConfig(base: ConfigTree, extra: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] = isTree(b) && isTree(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

/**
 * Writes `<dir>/config.yaml` for a test daemon and returns its path: API on 127.0.0.1 (a free
 * port), state, run dir, data dir, plugin dir (`<dir>/plugins`), plugin cache and the netns
 * plugin's resolv.conf dir all inside `dir`, a 2G btrfs pool; `extra` is merged in (objects
 * merge key by key, anything else replaces). Written as JSON, which is YAML.
 */
export function writeDaemonConfig(dir: string, extra: ConfigTree = {}): string {
  const base: ConfigTree = {
    api: { listen: '127.0.0.1:0' },
    state_file: join(dir, 'state.json'),
    run_dir: join(dir, 'run'),
    data_dir: join(dir, 'data'),
    btrfs: { pool_size: '2G' },
    plugins: { dir: join(dir, 'plugins'), cache_dir: join(dir, 'plugin-cache'), config: { netns: { etc_netns_dir: join(dir, 'etc-netns') } } },
  };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, `${JSON.stringify(mergeConfig(base, extra), null, 2)}\n`);
  return path;
}

/** A port on 127.0.0.1 nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A `dockersnap serve` process started by a test. */
export interface Daemon {
  url: string;
  pid: number;
  /** Everything it wrote so far (JSON log lines, stderr). */
  output(): string;
  /**
   * SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves to the exit code. Then
   * releases the mounts and loop devices the daemon left below its config file's directory
   * (its storage pool). Idempotent.
   */
  stop(graceMs?: number): Promise<number | null>;
}

/** Decodes the octal escapes /proc/mounts uses for spaces and the like. */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Unmounts what a daemon mounted below `dir` (deepest first, lazily when busy) and detaches the
 * loop devices of image files below it: `serve` prepares its storage pool at start (a loop-
 * mounted btrfs image under `data_dir`) and, by design, leaves it mounted when it exits.
 * Only ever below the system temp dir.
 */
export function releaseMountsBelow(dir: string): void {
  const root = realpathSync(dir);
  if (!root.startsWith(`${realpathSync(tmpdir())}/`)) throw new Error(`refusing to release mounts outside the temp dir: ${root}`);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => unescapeMount(l.split(' ')[1] ?? '')).filter((m) => m.startsWith(`${root}/`));
  for (const m of [...new Set(mounts)].sort((a, b) => b.length - a.length)) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    }
  }
  const images = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? images(join(d, e.name)) : e.name.endsWith('.img') ? [join(d, e.name)] : []));
  for (const img of images(root)) {
    const loops = execFileSync('losetup', ['-j', img], { encoding: 'utf8' }).split('\n').map((l) => l.split(':')[0]!.trim()).filter((d) => d.startsWith('/dev/'));
    for (const loop of loops) execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
  }
}

/**
 * Starts `dockersnap serve --config <path>` and waits until it logs the URL it listens on (so a
 * config with `api.listen: 127.0.0.1:0` gets a free port without a race).
 */
export async function startDaemon(configPath: string, env: NodeJS.ProcessEnv): Promise<Daemon> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  let stopping: Promise<number | null> | undefined;
  const stop = (graceMs = 15_000) =>
    (stopping ??= (async () => {
      if (exitCode !== undefined) {
        releaseMountsBelow(dirname(configPath));
        return exitCode;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      releaseMountsBelow(dirname(configPath));
      return code;
    })());
  try {
    const url = await waitFor('the daemon to listen', () => {
      if (exitCode !== undefined) throw new Error(`dockersnap serve exited with ${exitCode}:\n${output}`);
      return /"url":"(http:\/\/[^"]+)".*"msg":"dockersnap daemon listening"/.exec(output)?.[1];
    });
    return { url, pid: child.pid!, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Starts `dockersnap serve` on `configPath` and registers its teardown on `t`: this run's
 * instances (RUN_PREFIX; clones, which sort after their source, first) are deleted through the
 * API — instances outlive the daemon by design — then serve stops and `dir` is removed.
 */
export async function serveForTest(t: Test, dir: string, configPath: string): Promise<Daemon> {
  const daemon = await startDaemon(configPath, cleanEnv());
  t.teardown(async () => {
    const client = createClient({ remote: daemon.url, env: {}, owner: '' });
    const ours = (await client.list().catch(() => [])).filter((i) => i.name.startsWith(RUN_PREFIX)).reverse();
    for (const i of ours) await client.delete(i.name).catch((err: unknown) => t.comment(`cleanup of ${i.name}: ${String(err)}`));
    await daemon.stop();
    await cleanupDir(dir);
  });
  return daemon;
}
