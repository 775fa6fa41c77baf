import type { FastifySchemaValidationError } from 'fastify';
import { DsError, isDsError } from '../../kernel/errors.js';
import { validateInstanceName, validateSnapshotLabel } from '../../kernel/names.js';

/**
 * How request schemas are enforced: unknown fields fail instead of being stripped, types are
 * never coerced (`"name": 5` is an error, not `"5"`), union types allowed (`object | null`
 * bodies), and failing values are kept on the error (`verbose`) so the messages can quote them.
 */
export const AJV_OPTIONS = {
  customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allowUnionTypes: true, verbose: true, allErrors: false },
} as const;

/** Body fields whose messages are the original's, word for word (api-v1 §3). */
const FIELD_RULES: Readonly<Record<string, (value: unknown) => unknown>> = {
  name: (v) => validateInstanceName(v, 'name'),
  new_name: (v) => validateInstanceName(v, 'new_name'),
  label: (v) => validateSnapshotLabel(v),
};

const CONTENT_RULES = new Set(['required', 'pattern', 'minLength', 'maxLength']);

function fieldOf(e: FastifySchemaValidationError): string {
  const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
  const base = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  return missing === undefined ? base : base === '' ? missing : `${base}.${missing}`;
}

function describe(e: FastifySchemaValidationError, field: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field "${field === '' ? '' : `${field}.`}${String(p['additionalProperty'])}"`;
    case 'required':
      return `"${field}" is required`;
    case 'type':
      return field === '' ? `expected a JSON ${String(p['type']).replace(',null', '')}` : `"${field}" must be ${String(p['type'])}`;
    case 'enum':
      return `"${field}" must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field === '' ? 'the value' : `"${field}"`} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * fastify's `schemaErrorFormatter`: the first schema violation as a DsError. Invalid names and
 * labels in the body get the kernel's (the original's) messages and codes; everything else is
 * DS_ERR_INVALID_INPUT naming the field (`invalid request body: unknown field "x"`).
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const e = errors[0];
  if (!e) return new DsError('DS_ERR_INVALID_INPUT', `invalid request ${dataVar}`);
  const field = fieldOf(e);
  const rule = dataVar === 'body' ? FIELD_RULES[field] : undefined;
  if (rule && CONTENT_RULES.has(e.keyword)) {
    try {
      rule(e.keyword === 'required' ? undefined : (e as { data?: unknown }).data);
    } catch (err) {
      if (isDsError(err)) return err;
    }
  }
  const where = dataVar === 'querystring' ? 'query string' : dataVar === 'params' ? 'path' : 'body';
  return new DsError('DS_ERR_INVALID_INPUT', `invalid request ${where}: ${describe(e, field)}`, { details: { [dataVar]: field, rule: e.keyword } });
}
