import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** At most this much of a response body is read. */
const BODY_LIMIT = 4096;

/**
 * GET `<scheme>://<host>:<port><path>` once. HTTPS does not verify the certificate: kind's API
 * server presents its own CA's certificate, which does not name the daemon's host.
 * @returns the status code and the (trimmed, truncated) body.
 * @throws Error when the connection fails or no answer comes within `timeoutMs`.
 */
export function httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false, ...(signal ? { signal } : {}), headers: { accept: 'text/plain, application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < BODY_LIMIT) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, BODY_LIMIT).trim() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The host the daemon's forwards listen on, as seen from the daemon itself. */
export function forwardHost(proxyBind: string): string {
  const bind = proxyBind.trim();
  if (bind === '' || bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::' || bind === '[::]') return '[::1]';
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
}
