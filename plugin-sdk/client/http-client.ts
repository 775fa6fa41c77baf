import { DsError } from '../../kernel/errors.js';
import type { CommandClient } from '../define-command.js';
import { apiError, transportError } from './errors.js';
import { NDJSON, readEvents } from './ndjson.js';
import { contentType, send, type TransportResponse } from './transport.js';
import type { DaemonHealth, PluginInfo, ProgressEvent, RequestOptions } from './types.js';

/** Calls of one plugin's routes under `/api/v1/ext/<id>`. */
export type ExtClient = ReturnType<CommandClient['ext']>;

function extPath(pluginId: string, path: string): string {
  return `/api/v1/ext/${encodeURIComponent(pluginId)}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * The HTTP layer of the client: JSON requests, NDJSON streams, the daemon-level calls (health,
 * plugins, plugin routes). Every failure is a DsError (see `createClient`).
 */
export class HttpClient {
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

  reload(): Promise<PluginInfo[]> {
    return this.reloadPlugins();
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
