import type { ErrorObject } from 'ajv';
import { DsError } from '../errors.js';
import generatedValidator from './core-validator.generated.js';
import { checkConfig, normalizeConfig, type ConfigProblem } from './checks.js';
import { configSchema } from './schema.js';
import type { CoreConfig, DockersnapConfig } from './types.js';

/**
 * Validation of a parsed config document against `configSchema`, then `checks.ts`.
 * The schema is compiled ahead of time (`core-validator.generated.ts`, ajv standalone
 * mode, options in `generate-validator.ts`): importing ajv and compiling at boot cost
 * ~100 ms on the reference host, the generated module ~3 ms. Options: `allErrors` (report
 * every problem at once), `useDefaults` (the overlay), `coerceTypes` (YAML `token: 12345`
 * is the string "12345", as in the original), `removeAdditional` (drop unknown core keys),
 * `verbose` (errors carry the offending value).
 */

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
}

type CoreValidator = ((data: unknown) => data is CoreConfig) & { errors?: ErrorObject[] | null };
const validateCore = generatedValidator as unknown as CoreValidator;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Walks the core part of the document: drops `null`s (YAML `key:` with no value means
 * "not set", so the default applies — and ajv's coercion would otherwise turn it into "")
 * and collects keys that fixed-shape sections do not know.
 */
function prepare(doc: Record<string, unknown>, node: SchemaNode, path: string, unknown: string[]): void {
  for (const key of Object.keys(doc)) {
    const known = node.properties?.[key];
    const child = known ?? (isPlainObject(node.additionalProperties) ? node.additionalProperties : undefined);
    if (child === undefined) {
      if (node.additionalProperties === false) unknown.push(`${path}${key}`);
      continue;
    }
    const value = doc[key];
    if (value === null) delete doc[key];
    else if (isPlainObject(value) && (child.properties !== undefined || isPlainObject(child.additionalProperties))) prepare(value, child, `${path}${key}.`, unknown);
  }
}

/** `/plugins/timeouts/init` → `plugins.timeouts.init`; `/docker/dns/0` → `docker.dns[0]`. */
function dottedKey(err: ErrorObject): string {
  const parts = err.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (err.propertyName !== undefined) parts.push(err.propertyName);
  return parts.reduce((key, part) => (/^\d+$/.test(part) ? `${key}[${part}]` : key === '' ? part : `${key}.${part}`), '');
}

function describeValue(key: string, value: unknown): string {
  if (key === 'api.token') return '(got <redacted>)';
  const text = JSON.stringify(value) ?? String(value);
  return `(got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

function problemOf(err: ErrorObject): ConfigProblem {
  const key = dottedKey(err);
  let message = err.message ?? 'is invalid';
  if (err.keyword === 'minLength' && err.params.limit === 1) message = 'must not be empty';
  if (err.keyword === 'pattern') message = `must match ${err.params.pattern}`;
  if (err.propertyName !== undefined) return { key, message: `is not an allowed name: ${message}` };
  return { key, message: `${message} ${describeValue(key, err.data)}` };
}

/** The one error a bad config produces: every problem, each naming its key. */
export function configError(file: string, problems: readonly ConfigProblem[]): DsError {
  const text = problems.map((p) => `${p.key} ${p.message}`).join('; ');
  return new DsError('DS_ERR_CONFIG', `config ${file}: ${text}`, { details: { file, problems } });
}

/**
 * Validates `doc` in place (defaults filled, types coerced, unknown core keys dropped,
 * values normalised) and returns it typed.
 * @param file used in messages only.
 * @param onWarning receives one message per ignored unknown key.
 * @throws DsError DS_ERR_CONFIG listing every problem, each with its dotted key.
 */
export function validateConfig(doc: Record<string, unknown>, file: string, onWarning: (message: string) => void = () => {}): DockersnapConfig {
  const unknown: string[] = [];
  prepare(doc, configSchema as SchemaNode, '', unknown);
  for (const key of unknown) onWarning(`config ${file}: unknown key ${key} ignored`);
  if (!validateCore(doc)) {
    // `propertyNames` reports each bad name twice (the inner pattern error, then a summary).
    const errors = (validateCore.errors ?? []).filter((e) => e.keyword !== 'propertyNames');
    throw configError(file, errors.map(problemOf));
  }
  const problems = checkConfig(doc);
  if (problems.length > 0) throw configError(file, problems);
  normalizeConfig(doc);
  return doc as DockersnapConfig;
}
