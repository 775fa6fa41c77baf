import { pino } from 'pino';
import type { Logger } from '../plugin-sdk/logger.js';

const LEVELS: Record<string, string> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', silent: 'silent' };

/** Maps the config's `log_level` (case-insensitive, trimmed; unknown ⇒ info) to a pino level. */
export function normaliseLevel(level: string | undefined): string {
  return LEVELS[(level ?? '').trim().toLowerCase()] ?? 'info';
}

/**
 * The one logger: one JSON object per line on the given stream (stdout by default), as the
 * original's daemon does. Plugins get `child({plugin: id})` of it.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino({ level: normaliseLevel(options.level), base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, (options.destination ?? process.stdout) as never) as unknown as Logger;
}

/** A logger that drops everything (tests, CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' }) as unknown as Logger;
}
