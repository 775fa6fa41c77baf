import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DsError, isDsError, type ErrorCode } from '../../kernel/errors.js';

/**
 * The HTTP conventions every instance (the outer server and each plugin's inner one) shares:
 * one error handler rendering the envelope `{error, code, details?}`, a JSON 404, lenient JSON
 * bodies (api-v1 §1: Content-Type is not checked, only the first JSON value is read), and
 * success bodies typed exactly `application/json` ending in a single `\n`.
 */

const CLIENT_ERRORS: Readonly<Record<number, ErrorCode>> = {
  401: 'DS_ERR_UNAUTHORIZED',
  404: 'DS_ERR_NOT_FOUND',
  413: 'DS_ERR_PAYLOAD_TOO_LARGE',
};

/** Maps anything a handler, hook or fastify itself threw to a DsError; client mistakes never become 5xx. */
export function toHttpError(err: unknown, bodyLimit: number): DsError {
  if (isDsError(err)) return err;
  const e = err as Partial<FastifyError>;
  if (e.validation) {
    return new DsError('DS_ERR_INVALID_INPUT', `invalid request: ${e.message ?? 'validation failed'}`, { details: { validation: e.validation } });
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new DsError('DS_ERR_PAYLOAD_TOO_LARGE', `request body is larger than ${bodyLimit} bytes (api.body_limit)`, { details: { limit: bodyLimit } });
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return new DsError(CLIENT_ERRORS[status] ?? 'DS_ERR_INVALID_INPUT', e.message ?? 'bad request');
  return new DsError('DS_ERR_INTERNAL', `internal error: ${e.message ?? String(err)}`, { cause: err });
}

/** Parses the first JSON value of `text`; trailing bytes are ignored and `__proto__` keys dropped. */
export function parseFirstJsonValue(text: string): unknown {
  const reviver = (key: string, value: unknown) => (key === '__proto__' ? undefined : value);
  try {
    return JSON.parse(text, reviver);
  } catch (err) {
    const m = /after JSON at position (\d+)/.exec(err instanceof Error ? err.message : '');
    if (!m) throw err;
    return JSON.parse(text.slice(0, Number(m[1])), reviver);
  }
}

function parseBody(_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') return done(null, undefined);
  try {
    done(null, parseFirstJsonValue(text));
  } catch (err) {
    done(new DsError('DS_ERR_INVALID_INPUT', `invalid request body: ${err instanceof Error ? err.message : String(err)}`));
  }
}

async function jsonWithNewline(_req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const type = reply.getHeader('content-type');
  if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('application/json')) return payload;
  reply.header('content-type', 'application/json');
  return payload.endsWith('\n') ? payload : `${payload}\n`;
}

/**
 * Installs the shared conventions on `app`. Errors of 5xx are logged with their cause; the
 * client always gets the envelope. A 401 carries `WWW-Authenticate: Bearer`.
 */
export function installConventions(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, parseBody);
  app.addHook('onSend', jsonWithNewline);
  app.setErrorHandler((err, req, reply) => {
    const e = toHttpError(err, bodyLimit);
    if (e.httpStatus >= 500) req.log.error({ err, code: e.code }, e.message);
    if (e.code === 'DS_ERR_UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
    return reply.code(e.httpStatus).type('application/json').send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? req.url;
    const e = new DsError('DS_ERR_NOT_FOUND', `no route ${req.method} ${path}`);
    return reply.code(404).type('application/json').send(e.toJSON());
  });
}
