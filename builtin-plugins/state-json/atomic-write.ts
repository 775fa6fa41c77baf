import { closeSync, copyFileSync, fsync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

/**
 * Crash-safe replacement of a small file: write `<path>.tmp` (0600), fsync it, rename it
 * over `<path>`, fsync the directory so the rename itself survives a power cut.
 *
 * The cheap metadata calls are synchronous on purpose: each async fs call is a thread-pool
 * round trip (~50 µs here) and an update makes a dozen of them, which alone would eat the
 * 2 ms per update that 500 updates/s allows. The two fsyncs stay asynchronous because they
 * can take long on a busy disk and must not stall the daemon's event loop. So does replacing
 * the old `.bak`: dropping a file's last link frees its blocks, which can wait for the journal
 * (~0.5 ms of a loaded host's update); it runs in the thread pool while the temp file syncs.
 */

const fsyncAsync = promisify(fsync);

export interface AtomicWriteOptions {
  /** Keep the replaced version as `<path>.bak` (a hard link: no copy, no extra fsync). */
  backup: boolean;
}

function ignoreCode(err: unknown, ...codes: string[]): void {
  if (!codes.includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
}

/** Opens a fresh `<path>.tmp`: O_EXCL so that the 0600 mode always applies (a leftover keeps its own). */
function openFresh(tmp: string): number {
  for (;;) {
    try {
      return openSync(tmp, 'wx', 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') unlinkSync(tmp); // left by a crash mid-write; we hold the lock
      else if (code === 'ENOENT') mkdirSync(dirname(tmp), { recursive: true, mode: 0o755 });
      else throw err;
    }
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}

/**
 * Makes `<path>.bak` the version about to be replaced: a hard link to it as `<path>.bak.new`
 * (a copy where hard links are not supported), renamed over the old `.bak` — so a `.bak` is
 * there at every moment. Nothing to keep before the first write.
 */
async function keepBackup(path: string): Promise<void> {
  const next = `${path}.bak.new`;
  for (;;) {
    try {
      linkSync(path, next);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return; // first write: nothing to keep
      if (code === 'EEXIST') {
        unlinkSync(next); // left by a crash mid-write; we hold the lock
        continue;
      }
      ignoreCode(err, 'EPERM', 'EXDEV', 'ENOTSUP', 'EOPNOTSUPP'); // no hard links here
      copyFileSync(path, next);
      break;
    }
  }
  await rename(next, `${path}.bak`);
}

async function syncDir(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Atomically replaces `path` with `text`. On a failure before the rename `path` is
 * untouched and the temporary file is removed; if only the final directory fsync fails,
 * the new version is in place but may not survive a power cut, and the error is thrown.
 * The caller must hold the file's lock.
 */
export async function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = openFresh(tmp);
  try {
    try {
      writeAll(fd, text);
      await Promise.all([fsyncAsync(fd), options.backup ? keepBackup(path) : undefined]);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created; the original error matters
    }
    throw err;
  }
  await syncDir(dirname(path));
}
