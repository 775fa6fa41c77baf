import { NDJSON } from './operation-reply.js';
import { ErrorEnvelopeSchema, ProgressEventSchema, ref } from './schemas/wire.js';

/** The shared error responses of every route (the envelope, api-v1 §3 plus our code). */
export const ERROR_RESPONSES = {
  '4xx': { ...ref(ErrorEnvelopeSchema), description: 'client error: DS_ERR_* in `code`' },
  '5xx': { ...ref(ErrorEnvelopeSchema), description: 'the operation failed on the host or in a plugin' },
} as const;

const EMPTY = { type: 'null', description: 'no body' } as const;

/** Route schema parts of a route that answers JSON only. */
export function jsonRoute(options: { summary: string; tags: string[]; ok: object; params?: object; querystring?: object; body?: object; status?: number; description?: string }): Record<string, unknown> {
  return {
    summary: options.summary,
    ...(options.description ? { description: options.description } : {}),
    tags: options.tags,
    ...(options.params ? { params: options.params } : {}),
    ...(options.querystring ? { querystring: options.querystring } : {}),
    ...(options.body ? { body: options.body } : {}),
    response: { [options.status ?? 200]: options.ok, ...ERROR_RESPONSES },
  };
}

/**
 * Route schema parts of a mutating route (api-v1 §4): its plain success (`status` with `ok`, or
 * an empty body), and with `Accept: application/x-ndjson` a 200 progress stream instead.
 */
export function operationRoute(options: { summary: string; tags: string[]; status: number; ok?: object; params?: object; querystring?: object; body?: object; description?: string }): Record<string, unknown> {
  const stream = { [NDJSON]: { schema: ref(ProgressEventSchema) } };
  const plain = options.ok ?? EMPTY;
  const response: Record<string, unknown> =
    options.status === 200
      ? { 200: { description: 'done (JSON), or the progress stream (NDJSON)', content: { 'application/json': { schema: plain }, ...stream } } }
      : { [options.status]: plain, 200: { description: 'the progress stream (Accept: application/x-ndjson)', content: stream } };
  return {
    summary: options.summary,
    description: `${options.description ? `${options.description}\n\n` : ''}Send \`Accept: application/x-ndjson\` (exactly) for a progress stream: 200, one event per line, a failure as a final \`{"step":"error","status":"error"}\` event; input errors and DS_ERR_BUSY are still plain 4xx.`,
    tags: options.tags,
    ...(options.params ? { params: options.params } : {}),
    ...(options.querystring ? { querystring: options.querystring } : {}),
    ...(options.body ? { body: options.body } : {}),
    response: { ...response, ...ERROR_RESPONSES },
  };
}
