// Shared by storage-btrfs and storage-zfs (kept byte-identical; plugins may import only the
// SDK, so this lives in each plugin until it moves into plugin-sdk). A test checks the copies.
import { DsError } from '../../plugin-sdk/index.js';

/** Instance names as the kernel validates them (API v1). Checked again here because a name becomes a path. */
export const INSTANCE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Snapshot labels: 1–64 chars, start alphanumeric; no `/`, `@`, spaces or `..` segments. */
export const SNAPSHOT_LABEL = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/**
 * Returns `name` or throws DS_ERR_INVALID_NAME. Drivers re-check what the kernel already
 * checked so that no caller can turn a name into `../` in a path or a dataset.
 */
export function checkInstanceName(name: string): string {
  if (!INSTANCE_NAME.test(name)) {
    throw new DsError('DS_ERR_INVALID_NAME', `invalid instance name ${JSON.stringify(name)}: must match ${INSTANCE_NAME.source}`, { details: { name } });
  }
  return name;
}

/** Returns `label` or throws DS_ERR_INVALID_INPUT. */
export function checkSnapshotLabel(label: string): string {
  if (!SNAPSHOT_LABEL.test(label)) {
    throw new DsError('DS_ERR_INVALID_INPUT', `invalid snapshot label ${JSON.stringify(label)}: must match ${SNAPSHOT_LABEL.source}`, { details: { label } });
  }
  return label;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/**
 * Parses a size such as `20G`, `512M`, `1.5T` or `1048576` (binary units, as truncate(1)).
 * @throws DsError DS_ERR_CONFIG for anything else.
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) throw new DsError('DS_ERR_CONFIG', `invalid size ${JSON.stringify(text)}: expected a number with an optional K, M, G, T or P suffix`);
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
}
