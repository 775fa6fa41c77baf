import type { LogEntry } from './contract.js';

/** Levels in increasing severity. */
const ORDER = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 } as const;
type Level = keyof typeof ORDER;

/** `DOCKERSNAP_LOG_LEVEL` → minimum level: `error`, `warn`, `info`; anything else (or unset) `debug` (§14). */
export function minLogLevel(value: string | undefined): Level {
  switch ((value ?? '').trim().toLowerCase()) {
    case 'error':
      return 'ERROR';
    case 'warn':
    case 'warning':
      return 'WARN';
    case 'info':
      return 'INFO';
    default:
      return 'DEBUG';
  }
}

/** Nested plain objects become `group.key` entries (§9: attrs are flat). */
export function flattenAttrs(attrs: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v instanceof Error) out[key] = v.message;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) Object.assign(out, flattenAttrs(v as Record<string, unknown>, key));
    else if (v !== undefined) out[key] = v;
  }
  return out;
}

export interface ExecPluginLoggerOptions {
  plugin: string;
  command?: string;
  instance?: string;
  /** Where lines go (the process's stderr). */
  write: (line: string) => void;
  /** Minimum level; default from `DOCKERSNAP_LOG_LEVEL`. */
  level?: Level;
  now?: () => Date;
}

/**
 * The plugin-side logger: one §9 `LogEntry` JSON line per call on stderr, which the daemon
 * re-emits into its own log tagged with the plugin, command and instance. Never throws.
 */
export class ExecPluginLogger {
  private readonly min: Level;

  constructor(
    private readonly options: ExecPluginLoggerOptions,
    private readonly bound: Record<string, unknown> = {},
  ) {
    this.min = options.level ?? minLogLevel(process.env['DOCKERSNAP_LOG_LEVEL']);
  }

  /** A logger whose every line carries `attrs` too. */
  with(attrs: Record<string, unknown>): ExecPluginLogger {
    return new ExecPluginLogger({ ...this.options, level: this.min }, { ...this.bound, ...attrs });
  }

  debug(msg: string, attrs?: Record<string, unknown>): void {
    this.log('DEBUG', msg, attrs);
  }
  info(msg: string, attrs?: Record<string, unknown>): void {
    this.log('INFO', msg, attrs);
  }
  warn(msg: string, attrs?: Record<string, unknown>): void {
    this.log('WARN', msg, attrs);
  }
  error(msg: string, attrs?: Record<string, unknown>): void {
    this.log('ERROR', msg, attrs);
  }

  /** Writes one line at `level` unless below the minimum. An empty `msg` is written as `(empty)`, since the daemon would treat it as a raw line. */
  log(level: Level, msg: string, attrs?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.min]) return;
    const o = this.options;
    const flat = flattenAttrs({ ...this.bound, ...(attrs ?? {}) });
    const entry: LogEntry = {
      ts: (o.now ?? (() => new Date()))().toISOString(),
      level,
      plugin: o.plugin,
      ...(o.instance ? { instance: o.instance } : {}),
      ...(o.command ? { command: o.command } : {}),
      msg: msg === '' ? '(empty)' : msg,
      ...(Object.keys(flat).length > 0 ? { attrs: flat } : {}),
    };
    try {
      o.write(`${JSON.stringify(entry)}\n`);
    } catch {
      // A logger must never take the plugin down (e.g. a closed stderr).
    }
  }
}
