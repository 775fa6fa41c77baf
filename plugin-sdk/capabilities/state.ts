import { defineCapability } from '../capability.js';
import type { StateDocument } from '../state-types.js';

/**
 * The persistent store of instances, snapshots and subnet allocations.
 * Implementations must make `update` atomic across processes: the callback sees the
 * latest document, and either everything it changed is durably written or nothing is.
 * They must never persist a document they would refuse to load, and never hand out an
 * object they keep. `runStateConformance` (plugin-sdk/testing) checks all of this.
 */
export interface StateStore {
  /** Human-readable location (a path, a DSN) used in error messages. */
  readonly location: string;
  /**
   * Reads the current document. The callback gets a deep copy; changes are discarded.
   * @throws DsError DS_ERR_STATE_CORRUPT when the stored document is invalid.
   */
  view<R>(fn: (state: Readonly<StateDocument>) => R | Promise<R>): Promise<R>;
  /**
   * Load → modify → save under an exclusive lock. If `fn` throws, nothing is written
   * and the error propagates unchanged. Do not call `update` from inside `fn`.
   * @throws DsError DS_ERR_STATE_CORRUPT when the stored document is invalid (nothing is reset);
   * DS_ERR_BUSY when the lock is not obtained in time; DS_ERR_INTERNAL when `fn` leaves an
   * invalid document (nothing is written).
   */
  update<R>(fn: (state: StateDocument) => R | Promise<R>): Promise<R>;
}

export const stateCapability = defineCapability<StateStore, 'single'>({
  id: 'state',
  cardinality: 'single',
  description: 'persistent instance/snapshot/allocation store',
});
