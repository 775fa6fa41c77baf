import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { DsError, errorMessage } from '../../kernel/errors.js';
import type { Generation } from '../../kernel/plugins/generation.js';
import type { PluginInstance } from '../../kernel/plugins/plugin-instance.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { installConventions } from './envelope.js';
import { NoRequestLog } from './request-log.js';

/** Where plugin routes live: `/api/v1/ext/<id>/…` (STYLE rule 11). */
export const EXT_PREFIX = '/api/v1/ext/';

/** Hop-by-hop and length headers that must not be copied between the outer and inner request. */
const SKIP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'upgrade']);

interface Mounted {
  plugin: PluginInstance;
  app?: FastifyInstance;
  error?: string;
}

/** The plugin id in `/api/v1/ext/<id>/…`, or undefined. */
export function extPluginId(url: string): string | undefined {
  const path = url.split('?')[0] ?? '';
  if (!path.startsWith(EXT_PREFIX)) return undefined;
  const id = path.slice(EXT_PREFIX.length).split('/')[0];
  return id ? decodeURIComponent(id) : undefined;
}

function copyHeaders(headers: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SKIP_HEADERS.has(name) || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

/**
 * Plugin routes. fastify cannot add routes once listening, and plugins come and go with
 * reloads, so each plugin that contributes `routes` gets its own small fastify instance
 * (encapsulated under its prefix, with the shared conventions), built when a generation
 * brings a new version of it and closed when a later generation drops it. The outer server
 * forwards `/api/v1/ext/*` here with `inject()`, after its own auth and body limit.
 */
export class ExtRouter {
  private mounted = new Map<string, Mounted>();
  private building: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: { log: Logger; bodyLimit: number }) {}

  /** Mounts the routes of `gen`'s ok plugins; serialised, reuses unchanged plugins' instances. */
  update(gen: Generation): Promise<void> {
    this.building = this.building.then(() => this.rebuild(gen));
    return this.building;
  }

  /** Resolves once every queued update is applied. */
  settled(): Promise<void> {
    return this.building;
  }

  /** Closes every inner instance. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.building;
    const all = [...this.mounted.values()];
    this.mounted.clear();
    await Promise.all(all.map((m) => m.app?.close()));
  }

  /** The outer handler of `/api/v1/ext/*`. */
  async forward(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    await this.building;
    const id = extPluginId(req.url) ?? '';
    const entry = this.mounted.get(id);
    if (!entry) throw new DsError('DS_ERR_NOT_FOUND', `no plugin "${id}" with routes is loaded`, { details: { plugin: id } });
    if (!entry.app) throw new DsError('DS_ERR_PLUGIN_LOAD', `plugin "${id}" routes failed to mount: ${entry.error}`, { details: { plugin: id } });
    const res = await entry.app.inject({
      method: req.method as 'GET',
      url: req.url,
      headers: copyHeaders(req.headers),
      ...(Buffer.isBuffer(req.body) && req.body.length > 0 ? { payload: req.body } : {}),
    });
    return reply.code(res.statusCode).headers(copyHeaders(res.headers as OutgoingHttpHeaders)).send(res.rawPayload);
  }

  private async rebuild(gen: Generation): Promise<void> {
    if (this.closed) return;
    const next = new Map<string, Mounted>();
    for (const p of gen.okPlugins()) {
      if (typeof p.def?.routes !== 'function') continue;
      const before = this.mounted.get(p.id);
      next.set(p.id, before?.plugin === p ? before : await this.mount(p));
    }
    const retired = [...this.mounted.values()].filter((m) => next.get(m.plugin.id) !== m);
    this.mounted = next;
    await Promise.all(retired.map((m) => m.app?.close().catch((err: unknown) => this.options.log.warn({ plugin: m.plugin.id, err: errorMessage(err) }, 'closing plugin routes failed'))));
  }

  private async mount(p: PluginInstance): Promise<Mounted> {
    const log = this.options.log.child({ plugin: p.id });
    const app = Fastify({ loggerInstance: log as unknown as FastifyBaseLogger, bodyLimit: this.options.bodyLimit, logController: new NoRequestLog() });
    installConventions(app, this.options.bodyLimit);
    const routes = p.def!.routes!;
    app.register(async (scope) => routes(scope, p.ctx!), { prefix: `${EXT_PREFIX}${p.id}` });
    try {
      await app.ready();
      return { plugin: p, app };
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'plugin routes failed to mount');
      await app.close().catch(() => undefined);
      return { plugin: p, error: errorMessage(err) };
    }
  }
}
