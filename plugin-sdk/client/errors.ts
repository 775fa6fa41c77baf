import { DsError, isErrorCode, type ErrorCode } from '../../kernel/errors.js';

/**
 * Turning HTTP failures into `DsError`s. Our daemon sends `{error, code}`; the original Go
 * daemon sends `{error}` only (or plain text for 401), so its status is mapped to a code and
 * the message keeps the Go client's format (api-v1 §3, "Go-client error rendering").
 */

const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'DS_ERR_INVALID_INPUT',
  401: 'DS_ERR_UNAUTHORIZED',
  404: 'DS_ERR_NOT_FOUND',
  409: 'DS_ERR_CONFLICT',
  413: 'DS_ERR_PAYLOAD_TOO_LARGE',
};

/** The code a bare HTTP status stands for when the body carries none. */
export function codeForStatus(status: number): ErrorCode {
  return STATUS_CODES[status] ?? 'DS_ERR_INTERNAL';
}

function parseEnvelope(text: string): { error?: unknown; code?: unknown; details?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The DsError for a response with status ≥ 400 and body `text`. */
export function apiError(status: number, text: string): DsError {
  const envelope = parseEnvelope(text);
  const message = typeof envelope?.error === 'string' ? envelope.error : '';
  const details = typeof envelope?.details === 'object' && envelope.details !== null ? (envelope.details as Record<string, unknown>) : undefined;
  if (message !== '' && isErrorCode(envelope?.code)) return new DsError(envelope.code, message, details ? { details } : {});
  const code = codeForStatus(status);
  if (message !== '') return new DsError(code, `API error (${status}): ${message}`);
  const body = text.trim();
  if (body === '') return new DsError(code, `API error: HTTP ${status}`);
  const excerpt = body.length > 200 ? `${body.slice(0, 200)}...` : body;
  return new DsError(code, `API error (HTTP ${status}): ${excerpt}`);
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function causeMessage(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The DsError for a request that got no HTTP answer at all (refused, DNS, timeout …). */
export function transportError(err: unknown, baseUrl: string, timeoutMs: number): DsError {
  if (err instanceof DsError) return err;
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError') {
    return new DsError('DS_ERR_TIMEOUT', `the dockersnap daemon at ${baseUrl} did not answer within ${timeoutMs} ms`, { cause: err });
  }
  const why = causeCode(err) ?? causeMessage(err);
  return new DsError(
    'DS_ERR_DAEMON_UNREACHABLE',
    `cannot reach the dockersnap daemon at ${baseUrl} (${why}): start it with \`dockersnap serve\` (as root) on that host, or point --remote / DOCKERSNAP_REMOTE at a running daemon`,
    { details: { remote: baseUrl, reason: why }, cause: err },
  );
}

/**
 * The code of a failure reported in a progress stream: ours carries it on the final error
 * event; for the original daemon's events it is read from its well-known texts (api-v1 §3).
 */
export function streamErrorCode(event: { code?: string; message?: string }): ErrorCode {
  if (isErrorCode(event.code)) return event.code;
  const m = event.message ?? '';
  if (/already exists/.test(m)) return 'DS_ERR_EXISTS';
  if (/is already running|is not running|is busy/.test(m)) return 'DS_ERR_CONFLICT';
  if (/not found/.test(m)) return 'DS_ERR_NOT_FOUND';
  if (/^invalid |is required$/.test(m)) return 'DS_ERR_INVALID_INPUT';
  return 'DS_ERR_INTERNAL';
}

/** True for the original daemon's route-level 404 (`404 page not found`): the route is not there. */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof DsError && err.code === 'DS_ERR_NOT_FOUND' && /404 page not found/.test(err.message);
}
