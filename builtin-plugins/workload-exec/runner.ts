import type { Logger, ProgressEvent, WorkloadInput } from '../../plugin-sdk/index.js';
import { CONTRACT_VERSION, type ExecCommand } from '../../plugin-sdk/exec-plugin/contract.js';
import { goDuration, goPathError, goSignal } from './go-texts.js';
import { runPluginProcess, type PluginProcessOutcome } from './plugin-process.js';
import { reemitLogLine } from './plugin-log.js';
import { asEnvelope, parseProgressLine, trailingEnvelope, type Envelope } from './progress-line.js';
import { decodeResponse } from './response-shapes.js';

/** One exec plugin: its identity (the file name) and the absolute path that is executed. */
export interface ExecTarget {
  name: string;
  path: string;
}

export interface RunnerOptions {
  log: Logger;
  /** Per-command deadlines in ms (already resolved from `plugins.timeouts`). */
  timeouts: Readonly<Record<ExecCommand, number>>;
  /** The environment plugins inherit (default: the daemon's own). */
  baseEnv?: NodeJS.ProcessEnv;
  /** Aborted when the plugin host unloads us: every process still running is killed. */
  signal?: AbortSignal;
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export type FailureKind = 'exit' | 'signal' | 'spawn' | 'timeout' | 'cancelled' | 'parse';

/**
 * A failed plugin command. `message` is the runner error of §3 (`plugin <name> <command>:
 * exit status <N> (stderr: …)`, `parsing <command> response: …`), plus the stdout error
 * envelope's text when the plugin wrote one; callers prefix it (§13).
 */
export class RunnerError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly info: { plugin: string; command: ExecCommand; exitCode?: number | null; signal?: string | null; stderr?: string; envelope?: Envelope; timeoutMs?: number; stdout?: string },
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

/** The stdin document: compact, fields in the contract's order, `command` set, empty optionals omitted. */
export function pluginInputJson(command: ExecCommand, input: WorkloadInput): string {
  const { clone_of, ...instance } = input.instance;
  return JSON.stringify({
    contract_version: CONTRACT_VERSION,
    command,
    instance_name: input.instance_name,
    instance: { ...instance, ...(clone_of ? { clone_of } : {}) },
    ...(input.forwarded_ports && input.forwarded_ports.length > 0 ? { forwarded_ports: input.forwarded_ports } : {}),
    ...(input.env && Object.keys(input.env).length > 0 ? { env: input.env } : {}),
    ...(input.plugin_config && Object.keys(input.plugin_config).length > 0 ? { plugin_config: input.plugin_config } : {}),
  });
}

/** The daemon's environment plus what we tell every plugin (additive to the original). */
export function pluginEnv(base: NodeJS.ProcessEnv, input: WorkloadInput | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, DOCKERSNAP_CONTRACT_VERSION: CONTRACT_VERSION };
  if (input) {
    env['DOCKER_HOST'] = `unix://${input.instance.socket}`;
    env['DOCKERSNAP_INSTANCE'] = input.instance_name;
  }
  return env;
}

/** `(stdout: <first 200 bytes>[...])` */
function stdoutExcerpt(stdout: Buffer): string {
  return `${stdout.subarray(0, 200).toString('utf8')}${stdout.length > 200 ? '[...]' : ''}`;
}

function envelopeSuffix(envelope: Envelope | undefined, stderr: string): string {
  if (!envelope) return '';
  const extra = [envelope.error, envelope.details].filter((s): s is string => !!s && !stderr.includes(s));
  return extra.length > 0 ? `: ${extra.join(': ')}` : '';
}

/** Runs the commands of exec plugins (§3) and turns their output into results or {@link RunnerError}s. */
export class ExecRunner {
  constructor(private readonly options: RunnerOptions) {}

  /** `schema`: the raw stdout (its bytes are the `schema_digest`). */
  async schema(target: ExecTarget): Promise<Buffer> {
    return (await this.document(target, 'schema', undefined, {})).stdout;
  }

  /** `init`: stdout ignored; only the exit status counts. */
  async init(target: ExecTarget): Promise<void> {
    await this.document(target, 'init', undefined, {});
  }

  /**
   * A JSON command (validate, access, describe, health) decoded into its contract struct.
   * @throws RunnerError (a non-zero exit keeps stdout in `info.stdout` for callers that read a body anyway)
   */
  async json<T>(target: ExecTarget, command: ExecCommand, input: WorkloadInput, shape: Parameters<typeof decodeResponse>[1], call: CallOptions = {}): Promise<T> {
    const out = await this.document(target, command, input, call);
    const decoded = out.stdoutOverflow ? { ok: false as const, error: 'stdout exceeds 64 MiB' } : decodeResponse<T>(out.stdout.toString('utf8'), shape);
    if (!decoded.ok) throw new RunnerError(`parsing ${command} response: ${decoded.error} (stdout: ${stdoutExcerpt(out.stdout)})`, 'parse', { plugin: target.name, command, exitCode: 0, stdout: out.stdout.toString('utf8') });
    return decoded.value;
  }

  /**
   * `deploy`/`teardown`: progress events are forwarded to `onProgress` live and in order;
   * blank, invalid and over-long lines are skipped (debug-logged). Success is the exit status.
   * @throws RunnerError
   */
  async progress(target: ExecTarget, command: 'deploy' | 'teardown', input: WorkloadInput, call: CallOptions = {}): Promise<void> {
    let envelope: Envelope | undefined;
    const onLine = (line: string) => {
      const p = parseProgressLine(line);
      if (p.kind === 'event') call.onProgress?.(p.event);
      else if (p.kind === 'envelope') envelope = p.envelope;
      else if (p.kind === 'invalid') this.options.log.debug({ plugin: target.name, command, line: line.slice(0, 200), reason: p.reason }, 'skipping a progress line that is not a JSON event');
    };
    const out = await this.spawn(target, command, input, call, onLine);
    if (this.failed(out)) throw this.failure(target, command, out, envelope ?? trailingEnvelope(out.stdout.toString('utf8')));
  }

  private async document(target: ExecTarget, command: ExecCommand, input: WorkloadInput | undefined, call: CallOptions): Promise<PluginProcessOutcome> {
    const out = await this.spawn(target, command, input, call);
    if (this.failed(out)) {
      const text = out.stdout.toString('utf8');
      let envelope: Envelope | undefined;
      try {
        envelope = asEnvelope(JSON.parse(text));
      } catch {
        envelope = undefined;
      }
      throw this.failure(target, command, out, envelope);
    }
    return out;
  }

  private spawn(target: ExecTarget, command: ExecCommand, input: WorkloadInput | undefined, call: CallOptions, onStdoutLine?: (line: string) => void): Promise<PluginProcessOutcome> {
    const o = this.options;
    const signals = [o.signal, call.signal].filter((s): s is AbortSignal => s !== undefined);
    return runPluginProcess({
      path: target.path,
      command,
      ...(input ? { stdin: pluginInputJson(command, input) } : {}),
      env: pluginEnv(o.baseEnv ?? process.env, input),
      timeoutMs: o.timeouts[command],
      ...(signals.length > 0 ? { signal: signals.length === 1 ? signals[0]! : AbortSignal.any(signals) } : {}),
      stdoutMode: onStdoutLine ? 'lines' : 'document',
      ...(onStdoutLine ? { onStdoutLine } : {}),
      onStderrLine: (line) => reemitLogLine(o.log, target.name, command, line),
      onOverlong: (stream, bytes) => o.log.debug({ plugin: target.name, command, stream, bytes }, 'skipping a line longer than 1 MiB'),
    });
  }

  /** Exit status 0 is success even if a deadline fired in the same instant; anything else fails. */
  private failed(out: PluginProcessOutcome): boolean {
    return out.spawnError !== undefined || out.exitCode !== 0;
  }

  private failure(target: ExecTarget, command: ExecCommand, out: PluginProcessOutcome, envelope: Envelope | undefined): RunnerError {
    const info = { plugin: target.name, command, exitCode: out.exitCode, signal: out.signal, stderr: out.stderr, ...(envelope ? { envelope } : {}), stdout: out.stdout.toString('utf8') };
    const head = `plugin ${target.name} ${command}`;
    if (out.spawnError) return new RunnerError(`${head}: ${goPathError('fork/exec', target.path, out.spawnError)}`, 'spawn', info);
    const why = out.exitCode !== null ? `exit status ${out.exitCode}` : `signal: ${goSignal(out.signal ?? 'SIGKILL')}`;
    const stderr = out.stderr.trim();
    const base = `${head}: ${why} (stderr: ${stderr})${envelopeSuffix(envelope, stderr)}`;
    if (out.timedOut) {
      const ms = this.options.timeouts[command];
      return new RunnerError(`${base}; timed out after ${goDuration(ms)} (plugins.timeouts.${command})`, 'timeout', { ...info, timeoutMs: ms });
    }
    if (out.cancelled) return new RunnerError(`${base}; cancelled`, 'cancelled', info);
    return new RunnerError(base, out.exitCode !== null ? 'exit' : 'signal', info);
  }
}
