/**
 * Wire types of the REST API v1 (api-v1.md §8) as the client sees them. Fields marked
 * "ours" are additions of this implementation; the original daemon omits them.
 */

/** `GET /api/v1/health` (api-v1 §6.1). */
export interface DaemonHealth {
  status: string;
  /** Build string, e.g. `v0.1.0+dev`; empty from a pre-version daemon. */
  version: string;
  /** Go duration text truncated to seconds (`1h2m3s`). */
  uptime: string;
  /** RFC 3339, whole seconds. */
  started_at: string;
  instances: number;
  running: number;
  running_healthy: number;
  running_unhealthy: number;
}

/** One `config_options` entry of an exec workload plugin (plugin-contract-v1 §6). */
export interface ConfigOption {
  name: string;
  type: string;
  default?: unknown;
  description?: string;
  [key: string]: unknown;
}

/** `GET /api/v1/plugins` entry (api-v1 §8.4) plus our kernel-plugin fields. */
export interface PluginInfo {
  /** Plugin id (the original: file name in the plugin dir). */
  name: string;
  status: 'ready' | 'disabled';
  /** Reason when disabled. */
  error?: string;
  version?: string;
  description?: string;
  supported_contract_versions?: string[];
  config_options?: ConfigOption[];
  schema_digest?: string;
  binary_digest?: string;
  /** Ours: the kernel's own state, finer than `status`. */
  state?: 'ok' | 'skip' | 'error';
  /** Ours: the `DS_ERR_*` code of a failed plugin. */
  code?: string;
  /** Ours: `kernel` for in-process plugins. */
  kind?: string;
  /** Ours: `builtin`, `dir` or `inline`. */
  source?: string;
  provides?: string[];
  requires?: string[];
  hooks?: string[];
  commands?: string[];
}

/** One NDJSON progress event of a mutating request (api-v1 §4.4). */
export interface ProgressEvent {
  step: string;
  /** `running`, `done` or `error`. */
  status: string;
  message?: string;
  /** Ours: the `DS_ERR_*` code, on the final error event of a failed operation. */
  code?: string;
}

// Snapshot rows are the state file's own (one definition).
import type { InstanceRecord, SnapshotInfo } from '../state-types.js';
export type { SnapshotInfo };

/** An instance (api-v1 §8.1) with its live status: the state row without the kernel's operation marker. */
export type Instance = Omit<InstanceRecord, 'status' | 'operation'> & {
  /** `running`/`stopped` (the original); ours also `error` (see `error_reason`) and `busy`. */
  status: 'running' | 'stopped' | 'error' | 'busy';
};

// The wire shapes of forwards are the port-proxy capability's own (one definition).
export type { PortMapping, InstancePorts } from '../capabilities/port-proxy.js';

/** A file of an access bundle, written by `dockersnap use` under `~/.dockersnap/<instance>/`. */
export interface AccessFile {
  name: string;
  content: string;
  /** Octal text such as `0600`; empty means 0600. */
  mode?: string;
}

/** An endpoint of an access bundle. */
export interface AccessEndpoint {
  name?: string;
  scheme?: string;
  host_port_label?: string;
  insecure?: boolean;
  description?: string;
  url?: string;
  [key: string]: unknown;
}

/** `GET /instances/{name}/access` (api-v1 §6.12): `${ACCESS_DIR}` left literal. */
export interface AccessBundle {
  contract_version?: string;
  env: Record<string, string>;
  files?: AccessFile[];
  endpoints?: AccessEndpoint[];
}

/** `GET /instances/{name}/workload` (api-v1 §6.13): `{workload_type: "none"}` without a workload. */
export interface WorkloadDescription {
  workload_plugin?: string;
  workload_type?: string;
  contract_version?: string;
  status?: string;
  ports?: Array<{ label: string; container_port: number; protocol: string }>;
  config?: Record<string, unknown>;
  details?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `GET /instances/{name}/workload/health` (api-v1 §6.14). */
export interface WorkloadHealth {
  workload_plugin: string;
  healthy: boolean;
  checks?: Array<{ name: string; ok: boolean; message?: string }>;
  contract_version?: string;
  checked_at?: string;
  consecutive_fails?: number;
}

/** What `create` makes: a plain Docker instance, or one with a workload plugin. */
export interface CreateSpec {
  name: string;
  /** Workload plugin name; empty or absent for a plain instance. */
  plugin?: string;
  /** Plugin config (checked against the plugin's schema). */
  config?: Record<string, unknown>;
}

/**
 * A mutating call in progress (NDJSON stream): iterate it for progress events as they arrive,
 * await `result` for the outcome. The request starts at once and runs whether or not anybody
 * iterates. A failure rejects `result` with a DsError and is also the last event
 * (`{step: "error", status: "error", message, code}`), so both ways of watching agree.
 */
export interface ClientOperation<R> extends AsyncIterable<ProgressEvent> {
  readonly result: Promise<R>;
}

/** The JSON error envelope (api-v1 §3 plus our `code` and `details`). */
export interface ErrorEnvelope {
  error: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** Options of `createClient`. */
export interface ClientOptions {
  /** Base URL; default env `DOCKERSNAP_REMOTE`, else `http://127.0.0.1:9847`. */
  remote?: string;
  /** Bearer token; default env `DOCKERSNAP_TOKEN`. Sent only when non-empty. */
  token?: string;
  /** Per-request deadline including a streamed body; default 5 minutes (state-and-config §3.1). */
  timeoutMs?: number;
  /** Environment to read the defaults from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Who this client is, recorded as the `owner` of the snapshots it takes so that
   * `deleteSnapshot` refuses others' (unless forced). Default
   * `dockersnap-client:<hostname>:<pid>`; `''` records no owner.
   */
  owner?: string;
}

/** One HTTP call through `client.request` / `client.stream`. */
export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the base URL, starting with `/` (e.g. `/api/v1/plugins`). */
  path: string;
  /** JSON body; sent with `Content-Type: application/json` when defined. */
  body?: unknown;
  /** Overrides the client's deadline for this call. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}
