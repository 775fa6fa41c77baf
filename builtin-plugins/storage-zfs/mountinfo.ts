// Shared by storage-btrfs and storage-zfs (kept byte-identical; see naming.ts).
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

/** One line of /proc/<pid>/mountinfo. */
export interface MountEntry {
  /** Path of the mounted directory inside the filesystem (btrfs: the subvolume path). */
  root: string;
  /** Where it is mounted. */
  mountPoint: string;
  fstype: string;
  source: string;
}

/** Undoes the kernel's octal escapes (`\040` for a space, …). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses mountinfo text (proc(5)): fields before ` - ` are fixed, then fstype and source. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const left = line.slice(0, dash).split(' ');
    const right = line.slice(dash + 3).split(' ');
    if (left.length < 5 || right.length < 2) continue;
    out.push({ root: unescape(left[3]!), mountPoint: unescape(left[4]!), fstype: right[0]!, source: unescape(right[1]!) });
  }
  return out;
}

/** The mounts this process sees. */
export async function readMounts(pid: number | 'self' = 'self'): Promise<MountEntry[]> {
  return parseMountinfo(await readFile(`/proc/${pid}/mountinfo`, 'utf8'));
}

/** Whether `path` is `dir` itself or lies below it (plain string paths, no symlinks resolved). */
export function isUnder(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The mount a path lives on: the last-mounted entry with the longest mount point above it. */
export function mountOf(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    if (!isUnder(path, m.mountPoint)) continue;
    if (!best || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}
