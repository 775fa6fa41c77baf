/**
 * The persisted shapes of the original's `state.json` (state-and-config §1). Field names
 * are the wire names; do not rename them.
 */

/** Intended status of an instance as stored; live status is probed separately. */
export type StoredStatus = 'running' | 'stopped' | 'error';

export interface SnapshotInfo {
  label: string;
  /** RFC 3339 with nanoseconds; the zero time for converted legacy entries. */
  created_at: string;
  tags?: Record<string, string>;
  /** Who created the snapshot (client label); used to refuse deleting foreign snapshots. */
  owner?: string;
}

export interface InstanceRecord {
  name: string;
  dataset: string;
  subnet: string;
  subnet_index: number;
  metallb_ip: string;
  socket: string;
  pid_file: string;
  created_at: string;
  status: StoredStatus;
  clone_of?: string;
  snapshots: SnapshotInfo[];
  workload_plugin?: string;
  workload_config?: Record<string, unknown>;
  workload_contract_version?: string;
  /** Ours: why the instance is in `error` (reconcile, failed restart). */
  error_reason?: string;
  /** Ours: the operation running on the instance; left behind only by a crash (reconcile resolves it). */
  operation?: { kind: string; id: string; started_at: string; label?: string };
}

export interface StateDocument {
  instances: Record<string, InstanceRecord>;
  next_subnet_index: number;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function emptyState(): StateDocument {
  return { instances: {}, next_subnet_index: 0 };
}
