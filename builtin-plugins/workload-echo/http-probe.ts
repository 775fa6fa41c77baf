import { request } from 'node:http';

/** The reply of one HTTP GET. */
export interface HttpReply {
  status: number;
  body: string;
}

const MAX_BODY = 64 * 1024;

/**
 * `GET url` with a deadline; the body is read up to 64 KiB.
 * @throws Error on connection failure, timeout or abort.
 */
export function httpGet(url: string, timeoutMs: number, signal?: AbortSignal): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, ...(signal ? { signal } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The body as the text it carries: http-echo (and our busybox script) append one newline. */
export function replyText(body: string): string {
  return body.endsWith('\n') ? body.slice(0, -1) : body;
}
