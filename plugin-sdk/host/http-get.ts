import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The reply of one HTTP GET. */
export interface HttpReply {
  status: number;
  /** The body as received (not trimmed), cut at `maxBodyBytes`. */
  body: string;
}

export interface HttpGetOptions {
  signal?: AbortSignal;
  /**
   * HTTPS only: accept any certificate. For probes of services that present their own CA's
   * certificate (kind's API server), never for fetching anything that is trusted.
   */
  insecureTls?: boolean;
  /** At most this much of the body is kept (default 64 KiB). */
  maxBodyBytes?: number;
}

/**
 * One `GET url` (http: or https:) with a deadline: what workload health checks use to probe a
 * service. Never follows redirects.
 * @throws Error on connection failure, on abort, or when no answer comes within `timeoutMs`.
 */
export function httpGet(url: string, timeoutMs: number, options: HttpGetOptions = {}): Promise<HttpReply> {
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', timeout: timeoutMs, ...(options.insecureTls ? { rejectUnauthorized: false } : {}), ...(options.signal ? { signal: options.signal } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < limit) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, limit) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
