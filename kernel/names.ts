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
