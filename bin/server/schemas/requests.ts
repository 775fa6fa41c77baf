import { INSTANCE_NAME_PATTERN_TEXT, SNAPSHOT_LABEL_PATTERN } from '../../../kernel/names.js';

/**
 * JSON schemas of the request bodies, path parameters and query strings (api-v1 §6, §7).
 * Unknown body fields are refused (400 DS_ERR_INVALID_INPUT) — a deliberate change from the
 * original, which ignores them (docs/api.md). Routes that read no body accept none, `null`
 * or `{}`, so the original's clients (which send nothing) are unaffected.
 */

const name = { type: 'string', minLength: 1, pattern: INSTANCE_NAME_PATTERN_TEXT, description: 'instance name' } as const;
const label = { type: 'string', minLength: 1, pattern: SNAPSHOT_LABEL_PATTERN.source, description: 'snapshot label' } as const;

/** Body of a route that reads none: nothing, `null` or `{}`. */
export const NoBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

export const CreateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name,
    workload_inline: {
      type: ['object', 'null'],
      additionalProperties: false,
      description: 'omit (or null, or an empty plugin) for a plain Docker instance',
      properties: {
        plugin: { type: 'string' },
        config: { type: ['object', 'null'], additionalProperties: true, description: 'checked against the plugin schema' },
      },
    },
  },
} as const;

export const SnapshotBody = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: {
    label,
    tags: { type: 'object', additionalProperties: { type: 'string' } },
    owner: { type: 'string', description: 'ours: who creates it; deleting it then needs the same owner or force' },
  },
} as const;

export const RevertBody = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: { label, force: { type: 'boolean', description: 'ours: without it, reverting past newer snapshots is refused (409)' } },
} as const;

export const CloneBody = {
  type: 'object',
  additionalProperties: false,
  required: ['label', 'new_name'],
  properties: { label, new_name: { ...name, description: 'name of the new instance' } },
} as const;

export const DeleteSnapshotBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { owner: { type: 'string' }, force: { type: 'boolean' } },
} as const;

export const DeleteSnapshotQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { owner: { type: 'string' }, force: { type: 'string', enum: ['true', 'false', '1', '0', ''] } },
} as const;

/** `{name}` is not pattern-checked on the path: an invalid name is simply not found (api-v1 §5). */
export const NameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'instance name' } },
} as const;

export const SnapshotParams = {
  type: 'object',
  required: ['name', 'label'],
  properties: { name: { type: 'string' }, label: { type: 'string' } },
} as const;

export const HealthQuery = {
  type: 'object',
  properties: { fresh: { type: 'string', description: 'only the exact value `true` bypasses the health cache' } },
} as const;

export interface CreateRequest {
  name: string;
  workload_inline?: { plugin?: string; config?: Record<string, unknown> | null } | null;
}
export interface SnapshotRequest {
  label: string;
  tags?: Record<string, string>;
  owner?: string;
}
export interface RevertRequest {
  label: string;
  force?: boolean;
}
export interface CloneRequest {
  label: string;
  new_name: string;
}
export interface DeleteSnapshotRequest {
  owner?: string;
  force?: boolean;
}
