import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDsError } from '../../kernel/errors.js';
import type { Operation } from '../../kernel/lifecycle/operation.js';
import type { ProgressEvent } from '../../plugin-sdk/capabilities/workload.js';

/** The one media type that starts a progress stream (api-v1 §4.1). */
export const NDJSON = 'application/x-ndjson';

/** True when the request asks for a progress stream: `Accept` exactly `application/x-ndjson`. */
export function wantsStream(req: FastifyRequest): boolean {
  return req.headers.accept === NDJSON;
}

/** What a finished, non-streamed operation answers. */
export interface Answer {
  status: number;
  body?: unknown;
}

/**
 * The NDJSON lines of an operation, one compact object + `\n` per event, as they happen. The
 * kernel appends `{"step":"error","status":"error",…}` when the operation fails; that last
 * event also carries our `code` (DS_ERR_*), which the original's clients ignore. Ends when
 * the operation ends.
 */
export async function* ndjsonLines(op: Operation<unknown>): AsyncGenerator<string> {
  let held: ProgressEvent | undefined;
  for await (const event of op) {
    if (held) yield `${JSON.stringify(held)}\n`;
    held = undefined;
    if (event.step === 'error' && event.status === 'error') held = event;
    else yield `${JSON.stringify(event)}\n`;
  }
  if (!held) return;
  const code = await op.result.then(
    () => undefined,
    (err: unknown) => toDsError(err).code,
  );
  yield `${JSON.stringify(code === undefined ? held : { ...held, code })}\n`;
}

/**
 * Answers a mutating route. With `Accept: application/x-ndjson` the progress stream (200,
 * `Content-Type: application/x-ndjson` exactly, `nosniff`), every failure in-band; otherwise
 * waits for the result and answers `done(result)`, a failure becoming the error envelope.
 * Validation and DS_ERR_BUSY were thrown synchronously before this is called, so they are
 * plain 4xx in both modes. A client that disconnects stops only its copy of the stream: the
 * operation runs to completion.
 */
export async function replyOperation<R>(req: FastifyRequest, reply: FastifyReply, op: Operation<R>, done: (result: R) => Answer): Promise<FastifyReply> {
  if (wantsStream(req)) {
    reply.code(200).header('content-type', NDJSON).header('x-content-type-options', 'nosniff');
    return reply.send(Readable.from(ndjsonLines(op as Operation<unknown>), { objectMode: false }));
  }
  const answer = done(await op.result);
  reply.code(answer.status);
  return answer.body === undefined ? reply.send() : reply.send(answer.body);
}
