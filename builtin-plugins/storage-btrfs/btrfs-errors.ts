import { DsError, isDsError, type ErrorCode } from '../../plugin-sdk/index.js';

/** stderr fragments of btrfs-progs / the kernel and the code each one means. */
const PATTERNS: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/No space left on device|ENOSPC/i, 'DS_ERR_POOL_FULL'],
  [/File exists|EEXIST/i, 'DS_ERR_EXISTS'],
  [/Device or resource busy|target is busy|EBUSY/i, 'DS_ERR_CONFLICT'],
  [/No such file or directory|ENOENT/i, 'DS_ERR_NOT_FOUND'],
];

/** The text an error carries: the exec wrapper's stderr detail, else its message. */
function errorText(err: unknown): string {
  if (isDsError(err) && typeof err.details['stderr'] === 'string' && err.details['stderr'] !== '') return err.details['stderr'];
  if (err instanceof Error) return `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`;
  return String(err);
}

/**
 * Turns a failed btrfs command or fs call into a DsError with the code its text implies
 * (DS_ERR_STORAGE when nothing matches). `what` prefixes the message, e.g. `snapshot demo@a`.
 * DsErrors other than a failed command (a missing tool, a timeout, a mapped code) pass through.
 */
export function btrfsError(what: string, err: unknown): DsError {
  if (isDsError(err) && (err.code !== 'DS_ERR_HOST_TOOL' || err.details['exitCode'] === -1)) return err;
  const text = errorText(err);
  const code = PATTERNS.find(([re]) => re.test(text))?.[1] ?? 'DS_ERR_STORAGE';
  const message = err instanceof Error ? err.message : String(err);
  return new DsError(code, `btrfs ${what}: ${message}`, { cause: err, details: { stderr: text } });
}
