import { spawn } from 'node:child_process';
import type { PluginInput } from './contract.js';

/** `0o600` → `"0600"`: a file mode as the 4-digit octal string `AccessResponse.files[].mode` wants. */
export function formatFileMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The Docker env entry for the instance's daemon: `DOCKER_HOST=unix://<socket>`. */
export function dockerHostEnv(input: Pick<PluginInput, 'instance'>): string {
  return `DOCKER_HOST=unix://${input.instance.socket}`;
}

/**
 * The environment for a tool that talks to the instance's Docker (as the kind plugin builds
 * it): the plugin's own environment, `DOCKER_HOST=unix://<socket>`, then every
 * `PluginInput.env` entry (the proxy settings the daemon passes).
 */
export function dockerEnv(input: Pick<PluginInput, 'instance' | 'env'>, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env['DOCKER_HOST'] = `unix://${input.instance.socket}`;
  return { ...env, ...(input.env ?? {}) };
}

/** `nsenter --net=/run/netns/<netns> -- <cmd> <args…>` as file + argv. */
export function nsExecCommand(netns: string, command: string, args: readonly string[] = []): { file: string; args: string[] } {
  return { file: 'nsenter', args: [`--net=/run/netns/${netns}`, '--', command, ...args] };
}

export interface NsExecOptions {
  env?: Record<string, string>;
  /** Text written to stdin. */
  input?: string;
  /** SIGKILL after this many ms. */
  timeoutMs?: number;
}

export interface NsExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command inside the instance's network namespace (plugins run in the host's; to
 * reach `127.0.0.1` inside an instance they must enter it). Resolves with the outcome
 * whatever the exit status; rejects only when `nsenter` cannot be started.
 */
export function nsExec(netns: string, command: string, args: readonly string[] = [], options: NsExecOptions = {}): Promise<NsExecResult> {
  const { file, args: argv } = nsExecCommand(netns, command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env: options.env ?? process.env, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.input);
    }
  });
}
