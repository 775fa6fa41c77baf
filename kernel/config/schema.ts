import type { JSONSchemaType } from 'ajv';
import { PLUGIN_ID_PATTERN } from '../../plugin-sdk/define-plugin.js';
import type { CoreConfig, PluginTimeouts } from './types.js';

/**
 * The JSON schema (draft-07) of the core config keys, and the single source of their
 * defaults: `defaultConfig()` and ajv's `useDefaults` both read the `default`s below.
 *
 * Every section has `default: {}` so that ajv creates a missing section and then fills its
 * fields one by one — that is the original's field-by-field overlay. Fixed-shape sections
 * say `additionalProperties: false`; with ajv's `removeAdditional` an unknown key inside
 * them is dropped from the result (the loader reports it as a warning). Unknown top-level
 * keys are kept: they are plugin-owned sections (`zfs`, `btrfs`, …).
 *
 * Checks JSON schema cannot express well (IPv4 literals, `host:port`, Go durations) live in
 * `checks.ts`. The schema is compiled ahead of time: after editing it, run
 * `node --import tsx scripts/gen-config-validator.mjs` (a unit test fails until you do).
 */

/**
 * The default of every section. Typed `never` because `JSONSchemaType` wants a complete
 * section as its default, while ajv only needs `{}` to create the section and then fills
 * each field from the field's own default (ajv inlines defaults, so sharing it is safe).
 */
const FILLED_FIELD_BY_FIELD = {} as never;

const pluginId = { type: 'string', pattern: PLUGIN_ID_PATTERN.source } as const;

/** A string key; `nonEmpty` for paths and addresses, where "" can only be a mistake. */
function str(defaultValue: string, nonEmpty = false) {
  return { type: 'string', default: defaultValue, ...(nonEmpty ? { minLength: 1 } : {}) } as const;
}

function int(defaultValue: number, bounds: { minimum?: number; maximum?: number } = {}) {
  return { type: 'integer', default: defaultValue, ...bounds } as const;
}

const timeoutsSchema: JSONSchemaType<PluginTimeouts> = {
  type: 'object',
  default: FILLED_FIELD_BY_FIELD,
  additionalProperties: false,
  required: [],
  properties: {
    init: str('10s'),
    schema: str('5s'),
    validate: str('30s'),
    deploy: str('600s'),
    teardown: str('120s'),
    access: str('10s'),
    describe: str('10s'),
    health: str('10s'),
  },
};

const apiSchema: JSONSchemaType<CoreConfig['api']> = {
  type: 'object',
  default: FILLED_FIELD_BY_FIELD,
  additionalProperties: false,
  required: [],
  properties: {
    listen: str('127.0.0.1:9847', true),
    token: str(''),
    proxy_bind: str('127.0.0.1'),
    body_limit: int(1_048_576, { minimum: 1 }),
  },
};

const networkSchema: JSONSchemaType<CoreConfig['network']> = {
  type: 'object',
  default: FILLED_FIELD_BY_FIELD,
  additionalProperties: false,
  required: [],
  properties: {
    range: str('10.0.0.0/8'),
    subnet_size: int(16, { minimum: 1, maximum: 30 }),
    base_offset: str('10.10.0.0'),
    metallb_host_offset: str('10.10'),
    host_interface: str(''),
  },
};

const dockerSchema: JSONSchemaType<CoreConfig['docker']> = {
  type: 'object',
  default: FILLED_FIELD_BY_FIELD,
  additionalProperties: false,
  required: [],
  properties: {
    dns: { type: 'array', items: { type: 'string' }, default: [] },
    log_max_size: str('50m'),
    log_max_file: int(3),
    proxy: {
      type: 'object',
      default: FILLED_FIELD_BY_FIELD,
      additionalProperties: false,
      required: [],
      properties: { http: str(''), https: str(''), no_proxy: str('') },
    },
  },
};

const pluginsSchema: JSONSchemaType<CoreConfig['plugins']> = {
  type: 'object',
  default: FILLED_FIELD_BY_FIELD,
  additionalProperties: false,
  required: [],
  properties: {
    dir: str('/usr/local/lib/dockersnap/plugins', true),
    health_poll_interval: str('30s'),
    health_failure_threshold: int(3),
    timeouts: timeoutsSchema,
    disabled: { type: 'array', items: pluginId, default: [] },
    required: { type: 'array', items: pluginId, default: [] },
    config: {
      type: 'object',
      default: FILLED_FIELD_BY_FIELD,
      required: [],
      propertyNames: pluginId,
      additionalProperties: { type: 'object', required: [] },
    },
    cache_dir: str('/var/lib/dockersnap/plugin-cache', true),
    hook_timeout: str('60s'),
    setup_timeout: str('30s'),
  },
};

/** The schema of `CoreConfig`. Static: validated against the draft-07 meta-schema in tests, not at boot. */
export const configSchema: JSONSchemaType<CoreConfig> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  // Plugin-owned sections are allowed and left alone.
  additionalProperties: true,
  required: [],
  properties: {
    api: apiSchema,
    network: networkSchema,
    docker: dockerSchema,
    plugins: pluginsSchema,
    capabilities: {
      type: 'object',
      default: FILLED_FIELD_BY_FIELD,
      required: [],
      propertyNames: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{1,40}$' },
      properties: { storage: { ...pluginId, default: 'storage-btrfs' } },
      additionalProperties: pluginId,
    },
    state_file: str('/var/lib/dockersnap/state.json', true),
    run_dir: str('/run/dockersnap', true),
    data_dir: str('/var/lib/dockersnap', true),
    log_level: str(''),
  },
};

/** Keys (dotted paths) whose value must be a Go duration; `""` means "use the default". */
export const DURATION_KEYS: readonly string[] = [
  'plugins.health_poll_interval',
  'plugins.hook_timeout',
  'plugins.setup_timeout',
  'plugins.timeouts.init',
  'plugins.timeouts.schema',
  'plugins.timeouts.validate',
  'plugins.timeouts.deploy',
  'plugins.timeouts.teardown',
  'plugins.timeouts.access',
  'plugins.timeouts.describe',
  'plugins.timeouts.health',
];
