import { DsError, type AccessResponse, type Logger, type HealthResponse, type WorkloadCallOptions, type WorkloadDriver, type WorkloadInput, type WorkloadSchema } from '../../plugin-sdk/index.js';
import { CONTRACT_VERSION, type ExecCommand, type ValidateResponse } from '../../plugin-sdk/exec-plugin/contract.js';
import type { ExecPluginEntry } from './discovery.js';
import { ACCESS_RESPONSE, DESCRIBE_RESPONSE, HEALTH_RESPONSE, VALIDATE_RESPONSE, decodeResponse } from './response-shapes.js';
import { RunnerError, type ExecRunner } from './runner.js';

/** Where the driver looks its plugin up on every call (the catalog). */
export interface EntrySource {
  /** @throws DsError DS_ERR_PLUGIN_NOT_FOUND / DS_ERR_PLUGIN_DISABLED */
  resolve(name: string): ExecPluginEntry;
}

/** A runner failure as the daemon reports it (§13): `plugin <command>: <runner error>`. */
export function pluginFailure(command: ExecCommand, err: unknown): unknown {
  if (!(err instanceof RunnerError)) return err;
  const i = err.info;
  return new DsError(err.kind === 'timeout' ? 'DS_ERR_PLUGIN_TIMEOUT' : 'DS_ERR_PLUGIN_FAILED', `plugin ${command}: ${err.message}`, {
    details: {
      plugin: i.plugin,
      command,
      runner_error: err.message,
      ...(i.exitCode !== undefined && i.exitCode !== null ? { exit_code: i.exitCode } : {}),
      ...(i.signal ? { signal: i.signal } : {}),
      ...(i.envelope ? { plugin_error: i.envelope.error, ...(i.envelope.details ? { plugin_details: i.envelope.details } : {}) } : {}),
      ...(i.timeoutMs !== undefined ? { timeout_ms: i.timeoutMs } : {}),
    },
    cause: err,
  });
}

/** A failed validate's body, read even on a non-zero exit (§6.2: the reference SDK exits 1 with `valid:false`). */
function failedValidation(err: RunnerError): { valid: false; errors: string[]; warnings?: string[] } | undefined {
  if (err.kind !== 'exit' || !err.info.stdout) return undefined;
  const body = decodeResponse<ValidateResponse>(err.info.stdout, VALIDATE_RESPONSE);
  if (!body.ok || body.value.valid !== false || !body.value.errors || body.value.errors.length === 0) return undefined;
  return { valid: false, errors: body.value.errors, ...(body.value.warnings?.length ? { warnings: body.value.warnings } : {}) };
}

/** The synthetic result of a health fault (§6.6); failing checks of a body written anyway are appended. */
function syntheticHealth(err: unknown): HealthResponse {
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof RunnerError && err.kind === 'exit' && err.info.stdout && !err.info.envelope) {
    const body = decodeResponse<HealthResponse>(err.info.stdout, HEALTH_RESPONSE);
    const failing = body.ok ? (body.value.checks ?? []).filter((c) => !c.ok && c.message).map((c) => `${c.name}: ${c.message}`) : [];
    if (failing.length > 0) message += `: ${failing.join('; ')}`;
  }
  return { contract_version: CONTRACT_VERSION, healthy: false, checks: [{ name: 'plugin', ok: false, message }] };
}

/**
 * The `WorkloadDriver` of one exec plugin, by name. Stable across rescans: every call looks
 * the plugin up first (a removed plugin is "not found", a disabled one says why), then runs
 * the command. Errors are DsErrors prefixed `plugin <command>: ` (§13).
 */
export class ExecWorkloadDriver implements WorkloadDriver {
  constructor(
    readonly name: string,
    private readonly source: EntrySource,
    private readonly runner: ExecRunner,
    private readonly log?: Logger,
  ) {}

  /** The schema read at discovery (no process is started). */
  async schema(): Promise<WorkloadSchema> {
    const s = this.source.resolve(this.name).schema!;
    return { ...s, config_options: (s.config_options ?? []).map((o) => ({ ...o })) };
  }

  /**
   * `{valid:true, warnings?}` on exit 0 with `valid:true`; `{valid:false, errors, warnings?}`
   * on `valid:false`, with exit 0 or (the SDK's way) exit 1. Warnings are also logged.
   * @throws DsError DS_ERR_PLUGIN_FAILED / DS_ERR_PLUGIN_TIMEOUT for any other failure.
   */
  async validate(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<{ valid: boolean; errors?: string[]; warnings?: string[] }> {
    const entry = this.source.resolve(this.name);
    try {
      const r = await this.runner.json<ValidateResponse>(entry, 'validate', input, VALIDATE_RESPONSE, options);
      if (r.warnings?.length) this.log?.info({ plugin: this.name, instance: input.instance_name, warnings: r.warnings }, 'plugin validate warnings');
      return { valid: r.valid === true, ...(r.errors?.length ? { errors: r.errors } : {}), ...(r.warnings?.length ? { warnings: r.warnings } : {}) };
    } catch (err) {
      const verdict = err instanceof RunnerError ? failedValidation(err) : undefined;
      if (verdict) return verdict;
      throw pluginFailure('validate', err);
    }
  }

  async deploy(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<void> {
    await this.runner.progress(this.source.resolve(this.name), 'deploy', input, options).catch((err: unknown) => {
      throw pluginFailure('deploy', err);
    });
  }

  async teardown(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<void> {
    await this.runner.progress(this.source.resolve(this.name), 'teardown', input, options).catch((err: unknown) => {
      throw pluginFailure('teardown', err);
    });
  }

  /** The raw response: token substitution is the API's job (`resolveAccess`). */
  access(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<AccessResponse> {
    return this.document<AccessResponse>('access', input, options, ACCESS_RESPONSE);
  }

  describe(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<Record<string, unknown>> {
    return this.document<Record<string, unknown>>('describe', input, options, DESCRIBE_RESPONSE);
  }

  /** Never throws for a plugin fault: exit ≠ 0, timeout, garbage ⇒ the synthetic unhealthy result. */
  async health(input: WorkloadInput, options: WorkloadCallOptions = {}): Promise<HealthResponse> {
    const entry = this.source.resolve(this.name);
    try {
      const r = await this.runner.json<HealthResponse>(entry, 'health', input, HEALTH_RESPONSE, options);
      return { ...r, healthy: r.healthy === true };
    } catch (err) {
      if (err instanceof RunnerError) return syntheticHealth(err);
      throw err;
    }
  }

  private async document<T>(command: 'access' | 'describe', input: WorkloadInput, options: WorkloadCallOptions, shape: Parameters<typeof decodeResponse>[1]): Promise<T> {
    const entry = this.source.resolve(this.name);
    try {
      return await this.runner.json<T>(entry, command, input, shape, options);
    } catch (err) {
      throw pluginFailure(command, err);
    }
  }
}
