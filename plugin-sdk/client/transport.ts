import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/**
 * The client's HTTP transport on `node:http`/`node:https`. Not the global `fetch`: the first
 * fetch makes Node compile its bundled undici and llhttp (~50 ms CPU measured here, ~0.4× a
 * bare `node -e 0`), which alone would break the CLI's start-up budget.
 */

/** One request: `signal` bounds the whole exchange, body included. */
export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** The answer, its body not yet read. */
export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives (for NDJSON streams). */
  body: AsyncIterable<Buffer>;
  /** Reads the whole body as UTF-8. */
  text(): Promise<string>;
}

/** The response media type, `` when absent. */
export function contentType(headers: IncomingHttpHeaders): string {
  return headers['content-type'] ?? '';
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sends one request. Rejects with the socket error (ECONNREFUSED …) or, once `signal` fires,
 * an AbortError whose `cause` is the signal's reason (a TimeoutError for AbortSignal.timeout).
 */
export async function send(url: string, req: TransportRequest): Promise<TransportResponse> {
  const { request } = url.startsWith('https:') ? await import('node:https') : await import('node:http');
  // An explicit length: node sends a DELETE body with neither Content-Length nor chunked framing.
  const headers = req.body === undefined ? req.headers : { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) };
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: req.method, headers, signal: req.signal }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, text: () => readAll(res) });
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}
