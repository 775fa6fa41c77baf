/**
 * Every error the product reports carries one `DS_ERR_*` code. The table below is the
 * single source for how a code maps to an HTTP status (daemon) and a process exit code
 * (CLI), so the two front ends can never disagree.
 */

export interface ErrorCodeInfo {
  readonly http: number;
  readonly exit: number;
  readonly summary: string;
}

/** Exit codes are grouped so scripts can tell "my input was wrong" from "the host failed". */
export const EXIT = {
  generic: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  auth: 5,
  unavailable: 6,
  config: 7,
  state: 8,
  plugin: 9,
  host: 10,
} as const;

export const ERROR_CODES = {
  DS_ERR_INVALID_INPUT: { http: 400, exit: EXIT.usage, summary: 'the request or arguments are malformed' },
  DS_ERR_INVALID_NAME: { http: 400, exit: EXIT.usage, summary: 'an instance name does not match the allowed pattern' },
  DS_ERR_PAYLOAD_TOO_LARGE: { http: 413, exit: EXIT.usage, summary: 'the request body is larger than allowed' },
  DS_ERR_UNAUTHORIZED: { http: 401, exit: EXIT.auth, summary: 'the bearer token is missing or wrong' },
  DS_ERR_NOT_FOUND: { http: 404, exit: EXIT.notFound, summary: 'the instance, snapshot or route does not exist' },
  DS_ERR_EXISTS: { http: 409, exit: EXIT.conflict, summary: 'something with that name already exists' },
  DS_ERR_BUSY: { http: 409, exit: EXIT.conflict, summary: 'another operation is running on the instance' },
  DS_ERR_CONFLICT: { http: 409, exit: EXIT.conflict, summary: 'the instance is not in a state that allows this' },
  DS_ERR_SUBNET_EXHAUSTED: { http: 409, exit: EXIT.conflict, summary: 'no instance subnet is left in the configured range' },
  DS_ERR_POOL_FULL: { http: 507, exit: EXIT.host, summary: 'the storage pool has no space left' },
  DS_ERR_CONFIG: { http: 500, exit: EXIT.config, summary: 'the configuration file is invalid' },
  DS_ERR_STATE_CORRUPT: { http: 500, exit: EXIT.state, summary: 'the state file cannot be read or is invalid' },
  DS_ERR_PLUGIN_MANIFEST: { http: 500, exit: EXIT.plugin, summary: 'a plugin manifest or export is invalid' },
  DS_ERR_PLUGIN_CONFIG: { http: 400, exit: EXIT.plugin, summary: 'a plugin configuration does not match its schema' },
  DS_ERR_PLUGIN_DUPLICATE: { http: 500, exit: EXIT.plugin, summary: 'two plugins use the same id' },
  DS_ERR_PLUGIN_CYCLE: { http: 500, exit: EXIT.plugin, summary: 'plugins depend on each other in a cycle' },
  DS_ERR_PLUGIN_UNKNOWN_TARGET: { http: 500, exit: EXIT.plugin, summary: 'a plugin refers to a plugin or tap that does not exist' },
  DS_ERR_PLUGIN_LOAD: { http: 500, exit: EXIT.plugin, summary: 'a plugin could not be loaded' },
  DS_ERR_PLUGIN_SETUP: { http: 500, exit: EXIT.plugin, summary: 'a plugin failed while setting up' },
  DS_ERR_PLUGIN_REQUIRED: { http: 500, exit: EXIT.plugin, summary: 'a required plugin is not running' },
  DS_ERR_PLUGIN_HOOK: { http: 500, exit: EXIT.plugin, summary: 'a plugin hook tap failed' },
  DS_ERR_PLUGIN_TIMEOUT: { http: 504, exit: EXIT.plugin, summary: 'a plugin did not answer in time' },
  DS_ERR_PLUGIN_NOT_FOUND: { http: 404, exit: EXIT.notFound, summary: 'no plugin with that name is loaded' },
  DS_ERR_PLUGIN_DISABLED: { http: 409, exit: EXIT.plugin, summary: 'the plugin is loaded but not usable' },
  DS_ERR_PLUGIN_FAILED: { http: 502, exit: EXIT.plugin, summary: 'a workload plugin command failed' },
  DS_ERR_VETO: { http: 409, exit: EXIT.conflict, summary: 'a plugin vetoed the operation' },
  DS_ERR_CAPABILITY_MISSING: { http: 500, exit: EXIT.plugin, summary: 'no plugin provides a required capability' },
  DS_ERR_CAPABILITY_AMBIGUOUS: { http: 500, exit: EXIT.plugin, summary: 'several plugins provide a single capability' },
  DS_ERR_STORAGE: { http: 500, exit: EXIT.host, summary: 'a storage operation failed' },
  DS_ERR_NETNS: { http: 500, exit: EXIT.host, summary: 'network namespace setup failed' },
  DS_ERR_DOCKERD: { http: 500, exit: EXIT.host, summary: 'the instance docker daemon failed' },
  DS_ERR_HOST_TOOL: { http: 500, exit: EXIT.host, summary: 'a required host tool is missing or failed' },
  DS_ERR_DAEMON_UNREACHABLE: { http: 503, exit: EXIT.unavailable, summary: 'the dockersnap daemon does not answer' },
  DS_ERR_TIMEOUT: { http: 504, exit: EXIT.host, summary: 'an operation took longer than allowed' },
  DS_ERR_INTERNAL: { http: 500, exit: EXIT.generic, summary: 'an unexpected internal error' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface DsErrorOptions {
  /** Machine-readable extras (plugin id, hook name, conflicting snapshots …). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type the kernel, plugins and front ends throw and render. */
export class DsError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DsError';
    this.code = code;
    this.details = options.details ?? {};
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** The wire envelope: the original's `{error}` plus our `code` (and details when any). */
  toJSON(): { error: string; code: ErrorCode; details?: Record<string, unknown> } {
    return Object.keys(this.details).length > 0
      ? { error: this.message, code: this.code, details: this.details }
      : { error: this.message, code: this.code };
  }
}

export function isDsError(err: unknown): err is DsError {
  return err instanceof DsError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'DsError' && typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code in ERROR_CODES);
}

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** Wraps anything thrown into a DsError, keeping DsErrors as they are. */
export function toDsError(err: unknown, fallback: ErrorCode = 'DS_ERR_INTERNAL'): DsError {
  if (isDsError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DsError(fallback, message, { cause: err });
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
