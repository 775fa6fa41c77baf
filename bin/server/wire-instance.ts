import type { InstanceView } from '../../kernel/lifecycle/instances.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';

/** An `Instance` as the API sends it (api-v1 §8.1): a view, or a just-created record. */
export type WireInstance = Omit<InstanceRecord, 'operation' | 'status'> & { status: InstanceView['status'] };

/**
 * The wire shape of an instance: the operation marker dropped, `snapshots` always an array.
 * (The response schema drops anything else that is not part of `Instance`.)
 */
export function wireInstance(rec: InstanceView | InstanceRecord): WireInstance {
  const { operation: _op, ...rest } = rec as InstanceRecord;
  return { ...rest, snapshots: rest.snapshots ?? [] };
}

/** Instances in a stable order: oldest first, then by name. */
export function sortInstances<T extends { name: string; created_at: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
