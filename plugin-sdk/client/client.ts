import { DsError } from '../../kernel/errors.js';
import type { CommandClient } from '../define-command.js';
import { apiError, transportError } from './errors.js';
import { NDJSON, readEvents } from './ndjson.js';
import { contentType, send, type TransportResponse } from './transport.js';
import type { ClientOptions, DaemonHealth, PluginInfo, ProgressEvent, RequestOptions } from './types.js';

/** Where the CLI looks when neither `--remote` nor `DOCKERSNAP_REMOTE` is set (api-v1 §9). */
export const DEFAULT_REMOTE = 'http://127.0.0.1:9847';
/** The Go CLI's HTTP deadline: 5 minutes per request, streams included. */
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Calls of one plugin's routes under `/api/v1/ext/<id>`. */
export type ExtClient = ReturnType<CommandClient['ext']>;

/** A typed client of the REST API v1. Every method throws `DsError` (see `createClient`). */
export interface DockersnapClient extends CommandClient {
  /** The base URL every path is appended to (no trailing slash). */
  readonly remote: string;
  /** `GET /api/v1/health` (public). */
  health(options?: { timeoutMs?: number }): Promise<DaemonHealth>;
  /** `GET /api/v1/plugins`, always an array. */
  plugins(): Promise<PluginInfo[]>;
  /** `GET /api/v1/plugins/<name>`; a disabled or unknown plugin is DS_ERR_*NOT_FOUND. */
  plugin(name: string): Promise<PluginInfo>;
  /** `POST /api/v1/plugins/reload`: rescans the plugin dir and returns the new list. */
  reloadPlugins(): Promise<PluginInfo[]>;
  /** Any JSON call; resolves to the parsed body (`undefined` for an empty one, text if not JSON). */
  request<T = unknown>(options: RequestOptions): Promise<T>;
  /**
   * A mutating call with `Accept: application/x-ndjson`: yields progress events as they arrive.
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

function extPath(pluginId: string, path: string): string {
  return `/api/v1/ext/${encodeURIComponent(pluginId)}${path.startsWith('/') ? path : `/${path}`}`;
}

class HttpClient implements DockersnapClient {
  constructor(
    readonly remote: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  health(options: { timeoutMs?: number } = {}): Promise<DaemonHealth> {
    return this.request<DaemonHealth>({ method: 'GET', path: '/api/v1/health', ...options });
  }

  async plugins(): Promise<PluginInfo[]> {
    return (await this.request<PluginInfo[] | null>({ method: 'GET', path: '/api/v1/plugins' })) ?? [];
  }

  plugin(name: string): Promise<PluginInfo> {
    return this.request<PluginInfo>({ method: 'GET', path: `/api/v1/plugins/${encodeURIComponent(name)}` });
  }

  async reloadPlugins(): Promise<PluginInfo[]> {
    return (await this.request<PluginInfo[] | null>({ method: 'POST', path: '/api/v1/plugins/reload' })) ?? [];
  }

  ext(pluginId: string): ExtClient {
    return {
      get: (path) => this.request({ method: 'GET', path: extPath(pluginId, path) }),
      post: (path, body) => this.request({ method: 'POST', path: extPath(pluginId, path), body }),
      delete: (path) => this.request({ method: 'DELETE', path: extPath(pluginId, path) }),
    };
  }

  async request<T = unknown>(options: RequestOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await this.send(options, 'application/json', signal, timeoutMs);
    const text = await this.guard(() => res.text(), signal, timeoutMs);
    if (res.status === 204 || text === '') return undefined as T;
    if (!contentType(res.headers).includes('json')) return text as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new DsError('DS_ERR_INTERNAL', `the daemon at ${this.remote} sent invalid JSON for ${options.method} ${options.path}`, { cause: err });
    }
  }

  async *stream(options: RequestOptions): AsyncGenerator<ProgressEvent> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await this.send(options, NDJSON, signal, timeoutMs);
    if (contentType(res.headers) !== NDJSON) {
      await this.guard(() => res.text(), signal, timeoutMs);
      return;
    }
    const events = readEvents(res.body);
    for (;;) {
      const next = await this.guard(() => events.next(), signal, timeoutMs);
      if (next.done) return;
      yield next.value;
    }
  }

  private async send(options: RequestOptions, accept: string, signal: AbortSignal, timeoutMs: number): Promise<TransportResponse> {
    const headers: Record<string, string> = { accept, ...options.headers };
    if (this.token !== '') headers['authorization'] = `Bearer ${this.token}`;
    const init: { method: string; headers: Record<string, string>; signal: AbortSignal; body?: string } = { method: options.method, headers, signal };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const res = await this.guard(() => send(this.remote + options.path, init), signal, timeoutMs);
    if (res.status >= 400) throw apiError(res.status, await this.guard(() => res.text(), signal, timeoutMs));
    return res;
  }

  /** Runs one network step, turning transport failures (and the deadline) into DsErrors. */
  private async guard<T>(step: () => Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
    try {
      return await step();
    } catch (err) {
      throw transportError(signal.aborted ? signal.reason : err, this.remote, timeoutMs);
    }
  }
}

/**
 * Creates a client of a dockersnap daemon (over `node:http`/`node:https`). Base URL: `remote` →
 * env `DOCKERSNAP_REMOTE` → `http://127.0.0.1:9847`; token: `token` → env `DOCKERSNAP_TOKEN`.
 * Methods throw `DsError`: the daemon's own code when its envelope has one; for the original
 * daemon a code mapped from the status with the message `API error (<status>): <error>`;
 * DS_ERR_DAEMON_UNREACHABLE when nothing answers; DS_ERR_TIMEOUT past the deadline.
 * @throws DsError DS_ERR_INVALID_INPUT for a remote that is not an http(s) URL.
 */
export function createClient(options: ClientOptions = {}): DockersnapClient {
  const env = options.env ?? process.env;
  const remote = resolveRemote(options.remote || env['DOCKERSNAP_REMOTE'] || DEFAULT_REMOTE);
  const token = options.token ?? env['DOCKERSNAP_TOKEN'] ?? '';
  return new HttpClient(remote, token, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
}
