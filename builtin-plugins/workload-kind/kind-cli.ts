import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { DsError, type Exec, type ExecResult, type WorkloadInput } from '../../plugin-sdk/index.js';

/** The kind binary as a file: an absolute/relative path as given, else the first on `$PATH`; undefined when not executable. */
export function resolveBinary(binary: string, path = process.env['PATH'] ?? ''): string | undefined {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (binary.includes('/')) {
    const file = isAbsolute(binary) ? binary : resolve(binary);
    return executable(file) ? file : undefined;
  }
  return path.split(delimiter).filter(Boolean).map((d) => join(d, binary)).find(executable);
}

/** Trimmed, non-empty output lines. */
const lines = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter(Boolean);

/**
 * Runs the kind CLI for one instance: the daemon's environment, `DOCKER_HOST` set to the
 * instance's dockerd, then every `PluginInput.env` entry (proxy settings), as the reference
 * plugin does. Read-only commands get `timeoutMs`; `create` is bounded only by the signal.
 */
export class KindCli {
  constructor(
    private readonly exec: Exec,
    readonly binary: string,
    private readonly timeoutMs: number,
  ) {}

  /** The environment of a kind call for `input`'s instance. */
  env(input: WorkloadInput): Record<string, string> {
    return { DOCKER_HOST: `unix://${input.instance.socket}`, ...(input.env ?? {}) };
  }

  /** One kind call; never throws for a non-zero exit (the caller reads `exitCode`). */
  run(input: WorkloadInput, args: readonly string[], options: { signal?: AbortSignal | undefined; long?: boolean } = {}): Promise<ExecResult> {
    return this.exec(this.binary, args, { env: this.env(input), reject: false, ...(options.long ? {} : { timeoutMs: this.timeoutMs }), ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** Like `run`, but a non-zero exit is a DsError carrying kind's stderr. */
  async ok(input: WorkloadInput, args: readonly string[], signal?: AbortSignal): Promise<string> {
    const r = await this.run(input, args, { signal });
    if (r.exitCode !== 0) throw kindFailure(args, r);
    return r.stdout;
  }

  /** `kind get clusters` (kind prints "No kind clusters found." on stderr and exits 0 when there is none). */
  async clusters(input: WorkloadInput, signal?: AbortSignal): Promise<string[]> {
    return lines(await this.ok(input, ['get', 'clusters'], signal));
  }

  /** `kind get nodes --name <c>`: the node container names. */
  async nodes(input: WorkloadInput, cluster: string, signal?: AbortSignal): Promise<string[]> {
    return lines(await this.ok(input, ['get', 'nodes', '--name', cluster], signal));
  }

  /** `kind get kubeconfig --name <c>`, raw. */
  kubeconfig(input: WorkloadInput, cluster: string, signal?: AbortSignal): Promise<string> {
    return this.ok(input, ['get', 'kubeconfig', '--name', cluster], signal);
  }

  /**
   * The cluster of an instance (§17): the configured name when `kind get clusters` lists it;
   * else the only cluster when there is exactly one; else the configured name. A failing
   * `get clusters` also means the configured name.
   */
  async resolveClusterName(input: WorkloadInput, configured: string, signal?: AbortSignal): Promise<string> {
    const found = await this.clusters(input, signal).catch(() => [] as string[]);
    return pickCluster(configured, found);
  }
}

/** The cluster-name rule on a known list (pure; see `KindCli.resolveClusterName`). */
export function pickCluster(configured: string, clusters: readonly string[]): string {
  if (clusters.includes(configured)) return configured;
  return clusters.length === 1 ? clusters[0]! : configured;
}

/** `kind <args>: exit status N (<stderr>)`, as the reference plugin words it. */
export function kindFailure(args: readonly string[], r: ExecResult): DsError {
  const stderr = r.stderr.trim().slice(-2000);
  const what = r.exitCode === -1 ? 'did not finish (timed out, cancelled or not runnable)' : `exit status ${r.exitCode}`;
  return new DsError('DS_ERR_PLUGIN_FAILED', `kind ${args.slice(0, 2).join(' ')}: ${what}${stderr ? ` (${stderr})` : ''}`, { details: { command: r.command, exit_code: r.exitCode, stderr } });
}
