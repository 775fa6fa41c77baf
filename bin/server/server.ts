import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DockersnapConfig } from '../../kernel/config/types.js';
import { DsError, errorMessage } from '../../kernel/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { bearerAuth } from './auth.js';
import { installConventions } from './envelope.js';
import { EXT_PREFIX, ExtRouter } from './ext-router.js';
import { parseListen } from './listen.js';
import { OneLinePerRequest } from './request-log.js';
import { installOpenApi } from './openapi.js';
import { healthRoutes } from './routes/health.js';
import { instanceAccessRoutes } from './routes/instance-access.js';
import { instanceRoutes } from './routes/instances.js';
import { pluginRoutes } from './routes/plugins.js';
import { AJV_OPTIONS, formatSchemaErrors } from './validation.js';
import { daemonVersion } from './version.js';
import { UncachedWorkloadHealth, type WorkloadHealthSource } from './workload-health.js';

/** What the daemon's HTTP server needs. */
export interface ServerOptions {
  kernel: Kernel;
  settings: Readonly<DockersnapConfig>;
  log: Logger;
  /** Reported as `started_at`; default now. */
  startedAt?: Date;
  /** Workload health (the poller's cache, when there is one); default: a synchronous call per read. */
  workloadHealth?: WorkloadHealthSource;
}

/** A listening daemon server. */
export interface RunningServer {
  app: FastifyInstance;
  /** `http://host:port` it listens on (the real port when `api.listen` asked for 0). */
  url: string;
  /** Stops accepting requests, finishes in-flight ones, closes plugin route instances. Idempotent. */
  close(): Promise<void>;
}

function mountExt(app: FastifyInstance, ext: ExtRouter): void {
  app.register(async (scope) => {
    // Bodies reach the plugin's own instance unparsed; it parses them with the same rules.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.all(`${EXT_PREFIX}*`, (req, reply) => ext.forward(req, reply));
  });
}

/**
 * While closing, keep-alive connections are closed as soon as they are idle. `close()` only
 * closes those idle at the time it is called: a connection whose request (or stream) was in
 * flight would otherwise hold the shutdown for the whole keep-alive timeout (72 s).
 */
function closeConnectionsWhenIdle(app: FastifyInstance): void {
  let timer: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    timer = setInterval(() => app.server.closeIdleConnections(), 50);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}

/**
 * Builds the REST API v1 server on a kernel: auth, error envelope, schema validation, the
 * OpenAPI document, health, instance, plugin admin and plugin routes (rebuilt on every plugin
 * generation). Not listening yet: call `listen`, or use `inject` in tests. Closing the app
 * closes the plugin route instances, not the kernel.
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const { kernel, settings, log } = options;
  const bodyLimit = settings.api.body_limit;
  const version = daemonVersion();
  const health = options.workloadHealth ?? new UncachedWorkloadHealth();
  const app = Fastify({ loggerInstance: log as unknown as FastifyBaseLogger, bodyLimit, logController: new OneLinePerRequest(), ajv: AJV_OPTIONS, schemaErrorFormatter: formatSchemaErrors });
  const ext = new ExtRouter({ log, bodyLimit });
  installConventions(app, bodyLimit);
  app.addHook('onRequest', bearerAuth(settings.api.token));
  installOpenApi(app, version);
  // Registered after the OpenAPI plugin so that it sees every route.
  app.register(async (api) => {
    healthRoutes(api, kernel, { version, startedAt: options.startedAt ?? new Date(), health });
    instanceRoutes(api, kernel);
    instanceAccessRoutes(api, kernel, { health });
    pluginRoutes(api, kernel, ext);
  });
  mountExt(app, ext);
  kernel.host.onGeneration((gen) => void ext.update(gen));
  app.register(async () => ext.update(kernel.host.generation));
  app.addHook('onClose', async () => ext.close());
  closeConnectionsWhenIdle(app);
  return app;
}

/**
 * Creates the server and listens on `settings.api.listen` (default `127.0.0.1:9847`).
 * @throws DsError DS_ERR_CONFIG for a malformed listen address or one that cannot be bound (in use, not local, no permission).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseListen(options.settings.api.listen);
  const app = createServer(options);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL' && code !== 'EACCES') throw err;
    throw new DsError('DS_ERR_CONFIG', `cannot listen on api.listen ${options.settings.api.listen}: ${errorMessage(err)}`, { details: { key: 'api.listen', errno: code }, cause: err });
  }
  const addr = app.server.address();
  const realPort = typeof addr === 'object' && addr !== null ? addr.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return { app, url: `http://${urlHost}:${realPort}`, close: () => (closing ??= app.close()) };
}
