import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DsError } from '../errors.js';
import type { DockersnapConfig } from '../config/types.js';
import type { AnyPluginDefinition } from '../../plugin-sdk/define-plugin.js';

type AjvLike = { compile(schema: object): ValidateFn };
type ValidateFn = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null };

/**
 * The ajv options plugin config schemas are validated with, at run time and when
 * `scripts/gen-plugin-validators.mjs` precompiles the builtins' schemas (they must match).
 */
export const PLUGIN_AJV_OPTIONS = { allErrors: true, useDefaults: true, strict: false } as const;

/** File name of a plugin's precompiled config validator, next to its entry module (build output). */
export const PRECOMPILED_VALIDATOR_FILE = 'config-validator.generated.js';

/** Identifies a schema's content: a precompiled validator is only used for the schema it was built from. */
export function schemaFingerprint(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

let ajv: AjvLike | undefined;
const compiled = new WeakMap<object, ValidateFn>();

async function getAjv(): Promise<AjvLike> {
  if (!ajv) {
    const { Ajv } = await import('ajv');
    ajv = new Ajv(PLUGIN_AJV_OPTIONS) as unknown as AjvLike;
  }
  return ajv;
}

/**
 * The build's standalone validator in `dir` when it was compiled from exactly `schema`.
 * Missing (running from the TS sources, a third-party plugin) or stale: undefined.
 */
async function precompiled(dir: string | undefined, schema: object): Promise<ValidateFn | undefined> {
  if (!dir) return undefined;
  const file = join(dir, PRECOMPILED_VALIDATOR_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { schemaHash?: string; validate?: ValidateFn };
    return mod.schemaHash === schemaFingerprint(schema) && typeof mod.validate === 'function' ? mod.validate : undefined;
  } catch {
    return undefined; // an unloadable file only costs the fast path
  }
}

/** The raw config of a plugin: its legacy top-level section, overlaid by `plugins.config.<id>`. */
export function rawPluginConfig(def: AnyPluginDefinition, settings: DockersnapConfig): Record<string, unknown> {
  const section = def.configKey ? settings[def.configKey] : undefined;
  const own = settings.plugins.config[def.id];
  return {
    ...(typeof section === 'object' && section !== null ? (section as Record<string, unknown>) : {}),
    ...(own ?? {}),
  };
}

/**
 * Validates (and fills defaults into) a plugin's config before its setup runs. A builtin's
 * schema is checked by the validator the build precompiled into `precompiledDir` (no ajv at
 * boot); any other schema is compiled once by ajv, imported on first need.
 * @param precompiledDir the plugin's folder when it may hold a precompiled validator (builtins).
 * @throws DsError DS_ERR_PLUGIN_CONFIG naming the plugin, the key and what was expected.
 */
export async function validatePluginConfig(def: AnyPluginDefinition, settings: DockersnapConfig, precompiledDir?: string): Promise<Record<string, unknown>> {
  const data = structuredClone(rawPluginConfig(def, settings));
  if (!def.configSchema) return data;
  let validate = compiled.get(def.configSchema);
  if (!validate) {
    validate = (await precompiled(precompiledDir, def.configSchema)) ?? (await getAjv()).compile(def.configSchema);
    compiled.set(def.configSchema, validate);
  }
  if (validate(data)) return data;
  const where = def.configKey ? `plugins.config.${def.id} (or ${def.configKey}:)` : `plugins.config.${def.id}`;
  const problems = (validate.errors ?? []).map((e) => {
    const key = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const extra = e.params && 'additionalProperty' in e.params ? ` "${String(e.params['additionalProperty'])}"` : '';
    return `${key ? `${key} ` : ''}${e.message ?? 'is invalid'}${extra}`;
  });
  throw new DsError('DS_ERR_PLUGIN_CONFIG', `plugin "${def.id}" config ${where}: ${problems.join('; ')}`, { details: { plugin: def.id, problems } });
}
