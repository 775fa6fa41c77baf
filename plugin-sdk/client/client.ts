import { hostname } from 'node:os';
import { DsError } from '../../kernel/errors.js';
import type { CommandClient } from '../define-command.js';
import type { ExtClient } from './http-client.js';
import { InstanceClient, type ProgressCalls } from './instance-client.js';
import type { AccessBundle, ClientOptions, CreateSpec, DaemonHealth, Instance, InstancePorts, PluginInfo, ProgressEvent, RequestOptions, WorkloadDescription, WorkloadHealth } from './types.js';

export type { ExtClient } from './http-client.js';
export type { ProgressCalls } from './instance-client.js';

/** Where the CLI looks when neither `--remote` nor `DOCKERSNAP_REMOTE` is set (api-v1 §9). */
export const DEFAULT_REMOTE = 'http://127.0.0.1:9847';
/** The Go CLI's HTTP deadline: 5 minutes per request, streams included. */
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/**
 * A typed client of the REST API v1. Every method throws (or rejects with) a `DsError` carrying
 * the daemon's `DS_ERR_*` code (see `createClient`). Mutators come twice: plain (one JSON
 * request, resolves when the operation is done) and under `progress` (NDJSON stream:
 * iterate for events, await `.result`).
 */
export interface DockersnapClient extends CommandClient {
  /** The base URL every path is appended to (no trailing slash). */
  readonly remote: string;
  /** The owner recorded on snapshots this client takes (`''`: none). */
  readonly owner: string;
  /** Streamed forms of the mutators. */
  readonly progress: ProgressCalls;
  /** `GET /api/v1/health` (public). */
  health(options?: { timeoutMs?: number }): Promise<DaemonHealth>;
  /** `GET /api/v1/instances`: every instance with its live status (`[]` when none). */
  list(): Promise<Instance[]>;
  /** `GET /api/v1/instances/<name>`. @throws DsError DS_ERR_NOT_FOUND */
  get(name: string): Promise<Instance>;
  /** `POST /api/v1/instances`: resolves to the new instance (running). DS_ERR_INVALID_NAME, DS_ERR_EXISTS, … */
  create(spec: CreateSpec | string): Promise<Instance>;
  /** `DELETE /api/v1/instances/<name>`: the instance, its snapshots and runtime. */
  delete(name: string): Promise<void>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  /** Stop (if running) and start; one operation on our daemon. */
  restart(name: string): Promise<void>;
  /** Takes snapshot `label`, recording this client's `owner` (and `tags`). */
  snapshot(name: string, label: string, options?: { tags?: Record<string, string> }): Promise<void>;
  /** Reverts to `label`; reverting past newer snapshots needs `force` (they are destroyed). */
  revert(name: string, label: string, options?: { force?: boolean }): Promise<void>;
  /** A new instance `newName` from `name@label`; resolves to it. */
  clone(name: string, label: string, newName: string): Promise<Instance>;
  /** `clone` under the name test frameworks use: a fresh instance from a snapshot. */
  fromSnapshot(source: string, label: string, newName: string): Promise<Instance>;
  /**
   * Deletes snapshot `label` of `name`. The daemon refuses (DS_ERR_CONFLICT) a snapshot another
   * owner took — or one taken without an owner — unless `force`.
   */
  deleteSnapshot(name: string, label: string, options?: { force?: boolean }): Promise<void>;
  /** `GET …/ports`: the forwards held for the instance (empty, never 404). */
  ports(name: string): Promise<InstancePorts>;
  /** `POST …/ports/refresh`: rescans; DS_ERR_INVALID_INPUT when the instance is not running. */
  refreshPorts(name: string): Promise<InstancePorts>;
  /** `GET …/access`: env, files and endpoints; `${ACCESS_DIR}` left literal. */
  access(name: string): Promise<AccessBundle>;
  /** `GET …/workload`: `{workload_type: "none"}` without a workload. */
  workload(name: string): Promise<WorkloadDescription>;
  /** `GET …/workload/health[?fresh=true]`. */
  workloadHealth(name: string, options?: { fresh?: boolean }): Promise<WorkloadHealth>;
  /** `GET /api/v1/plugins`, always an array. */
  plugins(): Promise<PluginInfo[]>;
  /** `GET /api/v1/plugins/<name>`; a disabled or unknown plugin is DS_ERR_*NOT_FOUND. */
  plugin(name: string): Promise<PluginInfo>;
  /** `POST /api/v1/plugins/reload`: rescans the plugin dir and returns the new list. */
  reloadPlugins(): Promise<PluginInfo[]>;
  /** Same as `reloadPlugins`. */
  reload(): Promise<PluginInfo[]>;
  /** Calls one plugin's own routes. */
  ext(pluginId: string): ExtClient;
  /** Any JSON call; resolves to the parsed body (`undefined` for an empty one, text if not JSON). */
  request<T = unknown>(options: RequestOptions): Promise<T>;
  /**
   * A call with `Accept: application/x-ndjson`: yields progress events as they arrive.
   * A non-streaming success answer yields nothing (api-v1 §9: treated as success).
   */
  stream(options: RequestOptions): AsyncIterable<ProgressEvent>;
}

function resolveRemote(raw: string): string {
  const remote = raw.replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    throw new DsError('DS_ERR_INVALID_INPUT', `invalid remote ${JSON.stringify(raw)}: expected a URL such as ${DEFAULT_REMOTE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DsError('DS_ERR_INVALID_INPUT', `invalid remote ${JSON.stringify(raw)}: only http:// and https:// are supported`);
  return remote;
}

/** The default snapshot owner: `dockersnap-client:<hostname>:<pid>`. */
export function defaultOwner(): string {
  return `dockersnap-client:${hostname()}:${process.pid}`;
}

/**
 * Creates a client of a dockersnap daemon (over `node:http`/`node:https`). Base URL: `remote` →
 * env `DOCKERSNAP_REMOTE` → `http://127.0.0.1:9847`; token: `token` → env `DOCKERSNAP_TOKEN`.
 * Methods throw `DsError`: the daemon's own code when its envelope (or final stream event) has
 * one; for the original daemon a code mapped from the status with the message
 * `API error (<status>): <error>`; DS_ERR_DAEMON_UNREACHABLE when nothing answers;
 * DS_ERR_TIMEOUT past the deadline.
 * @throws DsError DS_ERR_INVALID_INPUT for a remote that is not an http(s) URL.
 */
export function createClient(options: ClientOptions = {}): DockersnapClient {
  const env = options.env ?? process.env;
  const remote = resolveRemote(options.remote || env['DOCKERSNAP_REMOTE'] || DEFAULT_REMOTE);
  const token = options.token ?? env['DOCKERSNAP_TOKEN'] ?? '';
  return new InstanceClient(remote, token, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.owner ?? defaultOwner());
}
