import { configSchema } from './schema.js';
import type { DockersnapConfig } from './types.js';

/** The part of a JSON schema node the defaults walk reads. */
interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
}

function defaultsOf(node: SchemaNode): unknown {
  if (node.properties === undefined) return node.default === undefined ? undefined : structuredClone(node.default);
  const out = structuredClone((node.default ?? {}) as Record<string, unknown>);
  for (const [key, child] of Object.entries(node.properties)) {
    const value = defaultsOf(child);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * The built-in configuration (state-and-config §2.2 plus ours), as used when no config file
 * exists. Derived from the `default`s in `configSchema`, so defaults live in one place; does
 * not load ajv. Returns a fresh object on every call (callers may mutate it).
 */
export function defaultConfig(): DockersnapConfig {
  return defaultsOf(configSchema as SchemaNode) as DockersnapConfig;
}

