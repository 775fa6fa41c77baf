import type { AccessResponse, ConfigOption, HealthCheck, ProgressEvent, WorkloadInput } from '../capabilities/workload.js';

/**
 * Wire types of the exec workload-plugin contract v1 (plugin-contract-v1 §4–§9), shared by
 * the plugin SDK, the daemon's runner and the conformance harness. Types only, plus the
 * command list and version constant: importing this costs nothing at run time.
 */

/** The one contract version this SDK and the daemon speak. */
export const CONTRACT_VERSION = '1';

/** The eight commands, in the order the conformance harness runs them. */
export const EXEC_COMMANDS = ['schema', 'init', 'validate', 'deploy', 'access', 'describe', 'health', 'teardown'] as const;
export type ExecCommand = (typeof EXEC_COMMANDS)[number];

/** Commands that get a `PluginInput` on stdin (all but `init` and `schema`). */
export const INPUT_COMMANDS: readonly ExecCommand[] = ['validate', 'deploy', 'teardown', 'access', 'describe', 'health'];
/** Commands whose stdout is NDJSON progress (§8). */
export const PROGRESS_COMMANDS: readonly ExecCommand[] = ['deploy', 'teardown'];

/** Default per-command timeouts in ms (§4); `plugins.timeouts.<command>` overrides them. */
export const DEFAULT_TIMEOUTS_MS: Readonly<Record<ExecCommand, number>> = {
  init: 10_000,
  schema: 5_000,
  validate: 30_000,
  deploy: 600_000,
  teardown: 120_000,
  access: 10_000,
  describe: 10_000,
  health: 10_000,
};

export type { AccessResponse, ConfigOption, HealthCheck, ProgressEvent };

/** stdin of validate/deploy/teardown/access/describe/health (§5). */
export type PluginInput = WorkloadInput;

/** `schema` stdout (§6.1). */
export interface SchemaResponse {
  contract_version: string;
  supported_contract_versions: string[];
  plugin_name: string;
  plugin_version: string;
  description?: string;
  config_options?: ConfigOption[];
}

/** `validate` stdout (§6.2). */
export interface ValidateResponse {
  contract_version: string;
  valid: boolean;
  errors?: string[];
  warnings?: string[];
}

/** `describe` stdout (§6.5). */
export interface DescribeResponse {
  contract_version?: string;
  workload_type?: string;
  status?: string;
  ports?: Array<{ label: string; container_port: number; protocol: string }>;
  config?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

/** `health` stdout (§6.6). */
export interface HealthBody {
  contract_version?: string;
  healthy: boolean;
  checks?: HealthCheck[];
}

/** Written to stdout before a non-zero exit (§6.8). */
export interface ErrorEnvelope {
  contract_version: string;
  error: string;
  details?: string;
}

/** One stderr log line (§9). */
export interface LogEntry {
  ts: string;
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  plugin: string;
  instance?: string;
  command?: string;
  msg: string;
  attrs?: Record<string, unknown>;
}
