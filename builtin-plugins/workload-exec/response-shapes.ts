import { parseGoJson } from '../../plugin-sdk/exec-plugin/go-json.js';

/**
 * The response documents of contract v1 (§6) as Go decodes them into its structs: unknown
 * fields dropped, `null` and missing fields left at their zero value (omitted here), and a
 * field of the wrong JSON type an error with Go's text. What passes is projected onto the
 * known fields, so a plugin cannot smuggle extra keys into API responses.
 */

type Shape = 'string' | 'bool' | 'int' | 'any' | 'object' | 'string-map' | { list: Shape } | Struct;
interface Struct {
  name: string;
  fields: Readonly<Record<string, Shape>>;
}

const list = (of: Shape): Shape => ({ list: of });
const V = 'string' as const;

export const SCHEMA_RESPONSE: Struct = {
  name: 'SchemaResponse',
  fields: {
    contract_version: V,
    supported_contract_versions: list(V),
    plugin_name: V,
    plugin_version: V,
    description: V,
    config_options: list({ name: 'ConfigOption', fields: { name: V, type: V, default: 'any', required: 'bool', description: V } }),
  },
};
export const VALIDATE_RESPONSE: Struct = { name: 'ValidateResponse', fields: { contract_version: V, valid: 'bool', errors: list(V), warnings: list(V) } };
export const ACCESS_RESPONSE: Struct = {
  name: 'AccessResponse',
  fields: {
    contract_version: V,
    env: 'string-map',
    files: list({ name: 'AccessFile', fields: { name: V, content: V, mode: V } }),
    endpoints: list({ name: 'AccessEndpoint', fields: { name: V, scheme: V, host_port_label: V, insecure: 'bool', description: V, url: V } }),
  },
};
export const DESCRIBE_RESPONSE: Struct = {
  name: 'DescribeResponse',
  fields: {
    contract_version: V,
    workload_type: V,
    status: V,
    ports: list({ name: 'PortInfo', fields: { label: V, container_port: 'int', protocol: V } }),
    config: 'object',
    details: 'object',
  },
};
export const HEALTH_RESPONSE: Struct = {
  name: 'HealthResponse',
  fields: { contract_version: V, healthy: 'bool', checks: list({ name: 'HealthCheck', fields: { name: V, ok: 'bool', message: V } }) },
};

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function goType(s: Shape): string {
  if (typeof s === 'string') return { string: 'string', bool: 'bool', int: 'int', any: 'interface {}', object: 'map[string]interface {}', 'string-map': 'map[string]string' }[s];
  return 'list' in s ? `[]${goType(s.list)}` : s.name;
}

class ShapeError extends Error {}

function fail(v: unknown, s: Shape, where: string): never {
  const what = typeof v === 'number' ? `number ${v}` : kindOf(v);
  throw new ShapeError(`json: cannot unmarshal ${what} into ${where} of type ${goType(s)}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks `v` against `s` and returns its projection (`undefined`: zero value, omitted).
 * `path` is the dotted field path Go names in its errors (`SchemaResponse.config_options.name`).
 */
function project(v: unknown, s: Shape, path: string): unknown {
  const where = `Go struct field ${path}`;
  if (v === null || v === undefined) return undefined;
  if (typeof s !== 'string') {
    if ('list' in s) {
      if (!Array.isArray(v)) return fail(v, s, where);
      return v.map((e) => project(e, s.list, path) ?? zero(s.list));
    }
    if (!isPlainObject(v)) return fail(v, s, where);
    const out: Record<string, unknown> = {};
    for (const [k, fs] of Object.entries(s.fields)) {
      const x = project(v[k], fs, `${path}.${k}`);
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
  switch (s) {
    case 'string':
      return typeof v === 'string' ? v : fail(v, s, where);
    case 'bool':
      return typeof v === 'boolean' ? v : fail(v, s, where);
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v : fail(v, s, where);
    case 'object':
      return isPlainObject(v) ? v : fail(v, s, where);
    case 'string-map':
      if (!isPlainObject(v)) return fail(v, s, where);
      for (const x of Object.values(v)) if (x !== null && typeof x !== 'string') fail(x, 'string', where);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x ?? '']));
    default:
      return v;
  }
}

function zero(s: Shape): unknown {
  if (s === 'string') return '';
  if (s === 'bool') return false;
  if (s === 'int') return 0;
  if (typeof s !== 'string' && !('list' in s)) return {};
  return null;
}

/**
 * Decodes a whole stdout document into a contract struct.
 * @returns the projected object, or Go's error text (syntax or type).
 */
export function decodeResponse<T>(text: string, shape: Struct): { ok: true; value: T } | { ok: false; error: string } {
  const parsed = parseGoJson(text);
  if (!parsed.ok) return parsed;
  if (parsed.value === null) return { ok: true, value: {} as T };
  if (!isPlainObject(parsed.value)) return { ok: false, error: `json: cannot unmarshal ${kindOf(parsed.value)} into Go value of type ${shape.name}` };
  try {
    return { ok: true, value: project(parsed.value, shape, shape.name) as T };
  } catch (err) {
    if (err instanceof ShapeError) return { ok: false, error: err.message };
    throw err;
  }
}
