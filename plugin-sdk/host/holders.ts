import { readdir, readlink } from 'node:fs/promises';
import { isUnder, readMounts, type MountEntry } from './mountinfo.js';

/** What a holder scan ({@link pathHolders}) looks at below the directory. */
export interface HolderScanOptions {
  /** Mounts that do not count (e.g. the dataset's own mount, ZFS child datasets). */
  ignoreMount?: (mount: MountEntry) => boolean;
  /** At most this many holders are reported (the scan stops early). Default 20. */
  limit?: number;
}

/** The `cwd`, `root` and `fd/<n>` links of a process; empty or partial when it exited or is not ours to inspect. */
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
      if (isUnder(m.mountPoint, dir) && !options.ignoreMount?.(m)) found.add(`mount ${m.mountPoint} (${m.fsType} ${m.source})`);
    }
  }
  return [...found];
}

/**
 * Lists what holds `dir` — what makes unmounting or deleting it fail or pull the rug from
 * under someone: mounts at or below it in any mount namespace (`mount <path> (<fstype>
 * <source>)`, listed first), then processes with an open file, working directory or root
 * below it (`pid <n> <what> <path>`). Empty means not busy. Called by storage drivers
 * before destroy and for `isBusy`. Read-only and safe to repeat; processes the scan may not
 * inspect are skipped, so an unprivileged caller can miss holders.
 * @param dir a real path (symlinks resolved): it is compared with what `/proc` shows.
 * @throws the fs error when `/proc` cannot be listed at all.
 */
export async function pathHolders(dir: string, options: HolderScanOptions = {}): Promise<string[]> {
  const limit = options.limit ?? 20;
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  const mounts = await mountHolders(dir, pids, options);
  if (mounts.length >= limit) return mounts.slice(0, limit);
  return [...mounts, ...(await processHolders(dir, pids, limit - mounts.length))];
}
