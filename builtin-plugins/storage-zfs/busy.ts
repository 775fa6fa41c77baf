// Shared by storage-btrfs and storage-zfs (kept byte-identical; see naming.ts).
import { readdir, readlink } from 'node:fs/promises';
import { isUnder, readMounts, type MountEntry } from './mountinfo.js';

/** What a busy scan looks at below the dataset's directory. */
export interface HolderScanOptions {
  /** Mounts that do not count (e.g. the dataset's own mount, ZFS child datasets). */
  ignoreMount?: (mount: MountEntry) => boolean;
  /** At most this many holders are reported (the scan stops early). Default 20. */
  limit?: number;
}

async function links(pid: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  const read = async (what: string): Promise<void> => {
    try {
      out.push([what, await readlink(`/proc/${pid}/${what}`)]);
    } catch {
      // The process exited, or it is not ours to inspect (EACCES under a sandboxed pid 1).
    }
  };
  await Promise.all([read('cwd'), read('root')]);
  let fds: string[] = [];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  await Promise.all(fds.map((fd) => read(`fd/${fd}`)));
  return out;
}

/** Open files, working directories and roots below `dir`, as `pid <n> <what> <path>`. */
async function processHolders(dir: string, pids: readonly string[], limit: number): Promise<string[]> {
  const found: string[] = [];
  const BATCH = 64;
  for (let i = 0; i < pids.length && found.length < limit; i += BATCH) {
    const batch = pids.slice(i, i + BATCH);
    const results = await Promise.all(batch.map(async (pid) => [pid, await links(pid)] as const));
    for (const [pid, entries] of results) {
      for (const [what, target] of entries) {
        if (target.startsWith('/') && isUnder(target.replace(/ \(deleted\)$/, ''), dir)) found.push(`pid ${pid} ${what} ${target}`);
      }
    }
  }
  return found.slice(0, limit);
}

/** Mounts below `dir` in every mount namespace a process lives in (one mountinfo read per namespace). */
async function mountHolders(dir: string, pids: readonly string[], options: HolderScanOptions): Promise<string[]> {
  const seen = new Set<string>();
  const found = new Set<string>();
  for (const pid of ['self', ...pids]) {
    let ns: string;
    let mounts: MountEntry[];
    try {
      ns = await readlink(`/proc/${pid}/ns/mnt`);
      if (seen.has(ns)) continue;
      seen.add(ns);
      mounts = await readMounts(pid === 'self' ? 'self' : Number(pid));
    } catch {
      continue;
    }
    for (const m of mounts) {
      if (isUnder(m.mountPoint, dir) && !options.ignoreMount?.(m)) found.add(`mount ${m.mountPoint} (${m.fstype} ${m.source})`);
    }
  }
  return [...found];
}

/**
 * Lists what holds `dir`: processes with an open file, working directory or root below it,
 * and mounts below it in any mount namespace. Empty means not busy. Processes the scan may
 * not inspect are skipped.
 */
export async function pathHolders(dir: string, options: HolderScanOptions = {}): Promise<string[]> {
  const limit = options.limit ?? 20;
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  const mounts = await mountHolders(dir, pids, options);
  if (mounts.length >= limit) return mounts.slice(0, limit);
  return [...mounts, ...(await processHolders(dir, pids, limit - mounts.length))];
}
