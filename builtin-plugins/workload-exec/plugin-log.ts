import type { Logger } from '../../plugin-sdk/index.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Readonly<Record<string, Level>> = {
  DEBUG: 'debug',
  debug: 'debug',
  INFO: 'info',
  WARN: 'warn',
  warn: 'warn',
  warning: 'warn',
  WARNING: 'warn',
  ERROR: 'error',
  error: 'error',
};

/** §9 level text → our level: the listed spellings, anything else INFO. */
export function logLevelOf(level: unknown): Level {
  return (typeof level === 'string' ? LEVELS[level] : undefined) ?? 'info';
}

function structured(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const e = v as Record<string, unknown>;
    return typeof e['msg'] === 'string' && e['msg'] !== '' ? e : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Re-emits one stderr line of a plugin into our log (§9): a `LogEntry` (a `{…}` line with a
 * non-empty `msg`) at its level with `plugin`, `command`, `instance` and every `attrs`
 * entry; any other line verbatim at info with `raw: true`. A trailing `\r` is stripped and
 * blank lines are dropped. Never throws.
 */
export function reemitLogLine(log: Logger, plugin: string, command: string, line: string): void {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return;
  const e = structured(text);
  if (!e) {
    log.info({ plugin, command, raw: true }, text);
    return;
  }
  const attrs = e['attrs'] !== null && typeof e['attrs'] === 'object' && !Array.isArray(e['attrs']) ? (e['attrs'] as Record<string, unknown>) : {};
  const str = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
  const instance = str('instance');
  log[logLevelOf(e['level'])]({ ...attrs, plugin: str('plugin') ?? plugin, command: str('command') ?? command, ...(instance ? { instance } : {}) }, e['msg'] as string);
}
