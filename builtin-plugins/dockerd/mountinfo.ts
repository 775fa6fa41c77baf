import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** One line of /proc/self/mountinfo. */
export interface MountEntry {
  id: number;
  parent: number;
  /** `major:minor` of the device. */
  device: string;
  /** The path inside the device's file system that is mounted (bind mounts: not `/`). */
  root: string;
  mountPoint: string;
  fsType: string;
}

const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** Parses mountinfo text (octal escapes such as `\040` decoded). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 7 || dash < 0) continue;
    out.push({
      id: Number(fields[0]),
      parent: Number(fields[1]),
      device: fields[2]!,
      root: unescape(fields[3]!),
      mountPoint: unescape(fields[4]!),
      fsType: fields[dash + 1] ?? '',
    });
  }
  return out;
}

export function readMountinfo(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

const isBelow = (path: string, dir: string): boolean => path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/**
 * Mounts strictly below `dir`, in unmount order: deepest path first, and for stacked mounts
 * on one path the most recent first.
 */
export function mountsBelow(entries: readonly MountEntry[], dir: string): MountEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => isBelow(entry.mountPoint, dir))
    .sort((a, b) => b.entry.mountPoint.split('/').length - a.entry.mountPoint.split('/').length || b.index - a.index)
    .map(({ entry }) => entry);
}

/**
 * Mounts on exactly `dir` that bind the directory onto itself (same device as their parent
 * mount, and the mounted root is the very path) — what dockerd does to a data root that is
 * not a shared mount. A file system mounted there (a ZFS dataset, a loop device) is never
 * one. Topmost first.
 */
export function selfBindsAt(entries: readonly MountEntry[], dir: string): MountEntry[] {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const found: MountEntry[] = [];
  entries.forEach((entry) => {
    if (entry.mountPoint !== dir) return;
    const parent = byId.get(entry.parent);
    if (!parent || parent.device !== entry.device) return;
    const rel = posix.relative(parent.mountPoint, entry.mountPoint);
    if (entry.root === posix.join(parent.root, rel)) found.push(entry);
  });
  return found.reverse();
}
