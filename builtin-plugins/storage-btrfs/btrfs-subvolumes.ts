import type { Exec } from '../../plugin-sdk/index.js';
import { btrfsError } from './btrfs-errors.js';

/** One row of `btrfs subvolume list -a -c -u -q`. */
export interface SubvolumeEntry {
  id: number;
  /** Transaction generation the subvolume was created in: increases with every snapshot. */
  cgen: number;
  /** UUID of the subvolume this one is a snapshot of, if any. */
  parentUuid: string | undefined;
  uuid: string;
  /** Path relative to the filesystem's top-level subvolume (`-a`, with its `<FS_TREE>/` marker removed). */
  path: string;
}

const ROW = /^ID (\d+) gen \d+ cgen (\d+) top level \d+ parent_uuid (\S+)\s+uuid (\S+) path (.*)$/;

/**
 * Parses `btrfs subvolume list -a -c -u -q` output; unknown lines are ignored. Without
 * `-a` paths are relative to the subvolume mounted at the path given, which breaks
 * matching when the pool root is on a `subvol=` mount.
 */
export function parseSubvolumeList(text: string): SubvolumeEntry[] {
  const out: SubvolumeEntry[] = [];
  for (const line of text.split('\n')) {
    const m = ROW.exec(line.trim());
    if (!m) continue;
    out.push({ id: Number(m[1]), cgen: Number(m[2]), parentUuid: m[3] === '-' ? undefined : m[3], uuid: m[4]!, path: m[5]!.replace(/^<FS_TREE>\//, '') });
  }
  return out;
}

/** Every subvolume of the filesystem `path` is on (one command, a few ms). */
export async function listSubvolumes(exec: Exec, path: string): Promise<SubvolumeEntry[]> {
  try {
    return parseSubvolumeList((await exec('btrfs', ['subvolume', 'list', '-a', '-c', '-u', '-q', path])).stdout);
  } catch (err) {
    throw btrfsError(`listing subvolumes of ${path}`, err);
  }
}

/** Deletes subvolumes (one command). Paths that are already gone are skipped. */
export async function deleteSubvolumes(exec: Exec, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  try {
    await exec('btrfs', ['subvolume', 'delete', ...paths]);
  } catch (err) {
    throw btrfsError(`deleting ${paths.join(', ')}`, err);
  }
}

/** Orders snapshots by creation: generation first, then subvolume id (both only grow). */
export function byCreation(a: SubvolumeEntry, b: SubvolumeEntry): number {
  return a.cgen - b.cgen || a.id - b.id;
}

/**
 * Subvolumes snapshotted from one of `snapshots` (clones), except `exceptPath` — the
 * instance itself, which descends from the snapshot it was last reverted to.
 */
export function dependentsOf(all: readonly SubvolumeEntry[], snapshots: ReadonlyArray<SubvolumeEntry & { label: string }>, exceptPath: string): Array<SubvolumeEntry & { label: string }> {
  const byUuid = new Map(snapshots.map((s) => [s.uuid, s.label]));
  return all
    .filter((s) => s.parentUuid !== undefined && byUuid.has(s.parentUuid) && s.path !== exceptPath)
    .map((s) => ({ ...s, label: byUuid.get(s.parentUuid!)! }));
}
