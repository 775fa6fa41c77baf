import { DsError } from '../errors.js';
import type { DockersnapConfig } from '../config/types.js';
import type { AnyPluginDefinition } from '../../plugin-sdk/define-plugin.js';

type AjvLike = { compile(schema: object): ValidateFn };
type ValidateFn = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: Record<string, unknown> }> | null };

let ajv: AjvLike | undefined;
const compiled = new WeakMap<object, ValidateFn>();

async function getAjv(): Promise<AjvLike> {
  if (!ajv) {
    const { Ajv } = await import('ajv');
    ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false }) as unknown as AjvLike;
  }
  return ajv;
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
 * Validates (and fills defaults into) a plugin's config before its setup runs.
 * @throws DsError DS_ERR_PLUGIN_CONFIG naming the plugin, the key and what was expected.
 */
export async function validatePluginConfig(def: AnyPluginDefinition, settings: DockersnapConfig): Promise<Record<string, unknown>> {
  const data = structuredClone(rawPluginConfig(def, settings));
  if (!def.configSchema) return data;
  let validate = compiled.get(def.configSchema);
  if (!validate) {
    validate = (await getAjv()).compile(def.configSchema);
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
