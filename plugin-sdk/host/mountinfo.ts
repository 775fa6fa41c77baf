import { readFile } from 'node:fs/promises';
import { isAbsolute, posix, relative, sep } from 'node:path';

/** One line of `/proc/<pid>/mountinfo` (proc(5)), octal escapes decoded. */
export interface MountEntry {
  /** Mount ID (unique per mount, reused after unmount). */
  id: number;
  /** ID of the parent mount (the mount's own ID for the root of the namespace's tree). */
  parent: number;
  /** `major:minor` of the device. */
  device: string;
  /** Path of the mounted directory inside its filesystem: `/` for a whole filesystem, the subvolume path on btrfs, the bound directory for a bind mount. */
  root: string;
  /** Where it is mounted. */
  mountPoint: string;
  /** Filesystem type, as `findmnt` prints it (`ext4`, `btrfs`, `zfs`, `fuse.zfs`, …). */
  fsType: string;
  /** Mount source (`/dev/loop0`, a ZFS dataset name, `tmpfs`, …). */
  source: string;
}

/** Undoes the kernel's octal escapes (`\040` for a space, …). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/**
 * Parses mountinfo text: fixed fields, optional fields up to a lone `-`, then fstype and
 * source. Malformed lines are skipped. Pure; never throws.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    if (left.length < 5 || right.length < 2) continue;
    out.push({
      id: Number(left[0]),
      parent: Number(left[1]),
      device: left[2]!,
      root: unescape(left[3]!),
      mountPoint: unescape(left[4]!),
      fsType: right[0]!,
      source: unescape(right[1]!),
    });
  }
  return out;
}

/**
 * The mounts a process sees (its mount namespace), in mount order. Reads `/proc` afresh on
 * every call.
 * @throws the fs error (e.g. ENOENT) when the process does not exist or may not be inspected.
 */
export async function readMounts(pid: number | 'self' = 'self'): Promise<MountEntry[]> {
  return parseMountinfo(await readFile(`/proc/${pid}/mountinfo`, 'utf8'));
}

/**
 * Whether `path` is `dir` itself or lies below it. Plain string paths: no symlinks are
 * resolved, so pass real paths when comparing with what `/proc` shows. Pure.
 */
export function isUnder(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Whether `path` lies strictly below `dir` (not `dir` itself). Pure. */
function isBelow(path: string, dir: string): boolean {
  return isUnder(path, dir) && relative(dir, path) !== '';
}

/**
 * The mount a path lives on: of the mounts at or above it, the one with the longest mount
 * point, and of stacked ones the last mounted. Undefined when none is (an empty list). Pure.
 */
export function mountOf(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    if (!isUnder(path, m.mountPoint)) continue;
    if (!best || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/**
 * Mounts strictly below `dir`, in unmount order: deepest path first, and for stacked mounts
 * on one path the most recent first. Pure.
 */
export function mountsBelow(mounts: readonly MountEntry[], dir: string): MountEntry[] {
  const depth = (m: MountEntry): number => m.mountPoint.split('/').length;
  return mounts
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => isBelow(entry.mountPoint, dir))
    .sort((a, b) => depth(b.entry) - depth(a.entry) || b.index - a.index)
    .map(({ entry }) => entry);
}

/**
 * Mounts on exactly `dir` that bind the directory onto itself (same device as their parent
 * mount, and the mounted root is the very path) — what dockerd does to a data root that is
 * not a shared mount. A filesystem mounted there (a ZFS dataset, a loop device) is never
 * one. Topmost first. Pure.
 */
export function selfBindsAt(mounts: readonly MountEntry[], dir: string): MountEntry[] {
  const byId = new Map(mounts.map((m) => [m.id, m]));
  const found: MountEntry[] = [];
  for (const entry of mounts) {
    if (entry.mountPoint !== dir) continue;
    const parent = byId.get(entry.parent);
    if (!parent || parent.device !== entry.device) continue;
    const rel = posix.relative(parent.mountPoint, entry.mountPoint);
    if (entry.root === posix.join(parent.root, rel)) found.push(entry);
  }
  return found.reverse();
}
