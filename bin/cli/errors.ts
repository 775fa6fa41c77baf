import { DsError, isDsError } from '../../kernel/errors.js';

/**
 * How the CLI reports failures: one `Error: <message> [DS_ERR_…]` on stderr and the exit
 * code of that DS_ERR_* code (kernel/errors.ts), whatever raised it — the daemon, the
 * client, oclif's parser, or a plugin command.
 */

interface OclifLike {
  message?: string;
  code?: string;
  parse?: unknown;
  args?: Array<{ name?: unknown }>;
  oclif?: { exit?: number };
}

const NOT_FOUND = /^command (\S+) not found\.?$/i;
const HELP_NOT_FOUND = /^Command (\S+) not found\.$/;

/** True for oclif's ExitError (`this.exit(n)`): not a failure to report. */
export function exitCodeOf(err: unknown): number | undefined {
  const e = err as OclifLike | undefined;
  return e?.code === 'EEXIT' && typeof e.oclif?.exit === 'number' ? e.oclif.exit : undefined;
}

/** The command id a "command not found" error is about, with spaces for topic separators. */
export function unknownCommandOf(err: unknown): string | undefined {
  const message = (err as OclifLike | undefined)?.message ?? '';
  const m = NOT_FOUND.exec(message) ?? HELP_NOT_FOUND.exec(message);
  return m ? m[1]!.replaceAll(':', ' ') : undefined;
}

/** oclif's parse errors in one line (`Error: …` stays a single line). */
function parseMessage(e: OclifLike, message: string): string {
  if (Array.isArray(e.args) && /^Missing/.test(message)) {
    const names = e.args.map((a) => `<${String(a.name)}>`).join(' ');
    return `missing required argument${e.args.length === 1 ? '' : 's'} ${names} (see --help)`;
  }
  const lines = message.replace(/\nSee more help with --help$/, '').split('\n').map((l) => l.trim()).filter(Boolean);
  return `${lines.join('; ')} (see --help)`;
}

/** Any error as a DsError: oclif's parse errors and unknown commands are DS_ERR_INVALID_INPUT (usage). */
export function toCliError(err: unknown): DsError {
  if (isDsError(err)) return err;
  const e = (err ?? {}) as OclifLike;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  const unknown = unknownCommandOf(err);
  if (unknown !== undefined) return new DsError('DS_ERR_INVALID_INPUT', `command "${unknown}" not found`, { details: { command: unknown } });
  // oclif's own errors (parser, help) are usage errors; dockersnap code throws DsErrors.
  if (e.parse !== undefined || e.oclif !== undefined) return new DsError('DS_ERR_INVALID_INPUT', parseMessage(e, message));
  return new DsError('DS_ERR_INTERNAL', message, { cause: err });
}

/** Prefixes the message the way the original's commands do (`plugin list: …`, state-and-config §3.2). */
export function withPrefix(err: DsError, prefix: string): DsError {
  if (prefix === '' || err.message.startsWith(`${prefix}: `)) return err;
  return new DsError(err.code, `${prefix}: ${err.message}`, { details: err.details, cause: err });
}

/** Writes the one-line report of `err` to stderr and returns the process exit code. */
export function reportError(err: unknown): number {
  const exit = exitCodeOf(err);
  if (exit !== undefined) return exit;
  const e = toCliError(err);
  process.stderr.write(`Error: ${e.message} [${e.code}]\n`);
  return e.exitCode;
}
