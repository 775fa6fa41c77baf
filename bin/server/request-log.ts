import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request (method, url, status, duration), instead of fastify's
 * "incoming request" + "request completed" pair and its extra "route not found" line.
 * Errors of 5xx are logged by the error handler, with their cause.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  }
}

/** For inner (plugin route) instances: the outer server already logs the request. */
export class NoRequestLog extends LogController {
  override isLogDisabled(): boolean {
    return true;
  }

  override routeNotFound(): void {}
}
