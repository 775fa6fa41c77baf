import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DsError } from '../../kernel/errors.js';

/** The one public API route (api-v1 §2). */
const PUBLIC_ROUTE = '/api/v1/health';
const API_PREFIX = '/api/v1/';

/** Constant-time comparison that does not leak the expected length through an early return. */
function sameBytes(got: string | undefined, expected: Buffer): boolean {
  const actual = Buffer.from(got ?? '', 'utf8');
  if (actual.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/**
 * Whether a request must carry the token: every `/api/v1/*` route except `GET /api/v1/health`,
 * and unknown paths under `/api/v1/` too (they answer 401 before 404, as the original).
 * Matched routes are judged by their registered pattern, so percent-encoding or `..` in the
 * raw URL cannot steer a request around the check.
 */
export function requiresAuth(req: FastifyRequest): boolean {
  const pattern = req.routeOptions.url;
  const path = pattern ?? (req.url.split('?')[0] ?? '');
  if (pattern === PUBLIC_ROUTE && (req.method === 'GET' || req.method === 'HEAD')) return false;
  return pattern !== undefined ? pattern.startsWith(API_PREFIX) : path.startsWith(API_PREFIX);
}

/**
 * An `onRequest` hook enforcing `Authorization: Bearer <token>` (byte-exact, whole header,
 * constant time). With an empty token nothing is checked (api-v1 §2).
 * @throws DsError DS_ERR_UNAUTHORIZED (401 with `WWW-Authenticate: Bearer` via the error handler).
 */
export function bearerAuth(token: string): (req: FastifyRequest) => Promise<void> {
  const expected = Buffer.from(`Bearer ${token}`, 'utf8');
  return async (req) => {
    if (token === '' || !requiresAuth(req)) return;
    if (sameBytes(req.headers.authorization, expected)) return;
    const why = req.headers.authorization === undefined ? 'missing bearer token' : 'invalid bearer token';
    throw new DsError('DS_ERR_UNAUTHORIZED', `unauthorized: ${why} (send "Authorization: Bearer <api.token>")`);
  };
}
