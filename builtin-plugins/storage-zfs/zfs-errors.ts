import { DsError, isDsError, type ErrorCode } from '../../plugin-sdk/index.js';

/** stderr fragments of zfs(8)/zpool(8) (OpenZFS and zfs-fuse) and the code each one means. */
const PATTERNS: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/out of space|No space left on device/i, 'DS_ERR_POOL_FULL'],
  [/dataset already exists|already exists/i, 'DS_ERR_EXISTS'],
  [/dependent clones|clones of previous snapshots exist|dataset is busy|pool or dataset is busy|target is busy|umount failed|Device or resource busy/i, 'DS_ERR_CONFLICT'],
  [/does not exist|could not find any snapshots/i, 'DS_ERR_NOT_FOUND'],
  [/invalid character|empty component|name is too long|invalid dataset name|leading slash/i, 'DS_ERR_INVALID_INPUT'],
];

/** The stderr the exec wrapper attached, else the message. */
export function zfsErrorText(err: unknown): string {
  if (isDsError(err) && typeof err.details['stderr'] === 'string' && err.details['stderr'] !== '') return err.details['stderr'];
  return err instanceof Error ? err.message : String(err);
}

/**
 * Turns a failed zfs/zpool command into a DsError with the code its stderr implies
 * (DS_ERR_STORAGE when nothing matches). DsErrors other than a failed command (a missing
 * tool, a timeout, an already mapped code) pass through.
 */
export function zfsError(what: string, err: unknown): DsError {
  if (isDsError(err) && (err.code !== 'DS_ERR_HOST_TOOL' || err.details['exitCode'] === -1)) return err;
  const text = zfsErrorText(err);
  const code = PATTERNS.find(([re]) => re.test(text))?.[1] ?? 'DS_ERR_STORAGE';
  return new DsError(code, `zfs ${what}: ${text.trim()}`, { cause: err, details: { stderr: text } });
}

/** Whether a failed command means "that dataset/snapshot is not there". */
export function isMissing(err: unknown): boolean {
  return /does not exist|could not find any snapshots/i.test(zfsErrorText(err));
}
