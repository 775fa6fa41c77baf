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
