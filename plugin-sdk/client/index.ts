/**
 * The typed client of the dockersnap REST API v1 (`dockersnap/client`). Light on purpose:
 * it imports no server, kernel or schema code, so CLI commands start fast.
 * @packageDocumentation
 */
export { createClient, defaultOwner, DEFAULT_REMOTE, DEFAULT_TIMEOUT_MS } from './client.js';
export type { DockersnapClient, ExtClient, ProgressCalls } from './client.js';
export { apiError, codeForStatus, isMissingRoute, streamErrorCode, transportError } from './errors.js';
export { NDJSON, parseEventLine, readEvents, streamFailure } from './ndjson.js';
export type * from './types.js';
export { DsError, isDsError } from '../../kernel/errors.js';
export type { ErrorCode } from '../../kernel/errors.js';
