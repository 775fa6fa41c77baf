import { DsError } from './errors.js';

/** The instance-name pattern of the original (API v1): 1–32 chars, lowercase, starts with a letter. */
export const INSTANCE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const INSTANCE_NAME_PATTERN_TEXT = '^[a-z][a-z0-9-]{0,31}$';

/**
 * Throws DS_ERR_INVALID_NAME unless `name` is a valid instance name. The messages are
 * the original's, word for word, so scripts matching on them keep working.
 */
export function validateInstanceName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name === '') {
    throw new DsError('DS_ERR_INVALID_NAME', 'instance name is required', { details: { field } });
  }
  if (!INSTANCE_NAME_PATTERN.test(name)) {
    throw new DsError(
      'DS_ERR_INVALID_NAME',
      `invalid instance name ${JSON.stringify(name)}: must match ${INSTANCE_NAME_PATTERN_TEXT}`,
      { details: { field, name } },
    );
  }
  return name;
}

export function isValidInstanceName(name: unknown): name is string {
  return typeof name === 'string' && INSTANCE_NAME_PATTERN.test(name);
}

/** Snapshot labels: safe on every backend (ZFS snapshot names, btrfs paths). */
export const SNAPSHOT_LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** @throws DsError DS_ERR_INVALID_INPUT (`label is required` for an empty one, as the original). */
export function validateSnapshotLabel(label: unknown): string {
  if (typeof label !== 'string' || label === '') throw new DsError('DS_ERR_INVALID_INPUT', 'label is required', { details: { field: 'label' } });
  if (!SNAPSHOT_LABEL_PATTERN.test(label)) {
    throw new DsError('DS_ERR_INVALID_INPUT', `invalid snapshot label ${JSON.stringify(label)}: use 1–64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit`, { details: { field: 'label', label } });
  }
  return label;
}
