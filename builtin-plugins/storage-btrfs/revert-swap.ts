import { randomBytes } from 'node:crypto';
import { readdir, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Exec, Logger } from '../../plugin-sdk/index.js';
import { btrfsError } from './btrfs-errors.js';
import { deleteSubvolumes } from './btrfs-subvolumes.js';

/*
 * A revert replaces `instances/<name>` by a writable snapshot of `snapshots/<name>/<label>`:
 *   1. snapshot the label to `instances/.<name>.revert-<id>`   (the new data, complete)
 *   2. rename `instances/<name>` to `instances/.<name>.old-<id>`
 *   3. rename the new one to `instances/<name>`
 *   4. delete the old one.
 * Instance names start with a letter, so the dot-names never collide with an instance.
 * A crash leaves at most one of each; `recoverInterruptedReverts` (run by init) puts the
 * old one back if step 3 never happened and deletes every leftover otherwise.
 */

const LEFTOVER = /^\.([a-z][a-z0-9-]{0,31})\.(old|revert)-[0-9a-f]+$/;

async function renameSubvolume(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    throw btrfsError(`renaming ${from} to ${to}`, err);
  }
}

/**
 * Swaps the subvolume at `current` for a writable snapshot of `source`. On a failed
 * rename the old subvolume is put back, so the instance is never left without data.
 */
export async function swapInSnapshot(exec: Exec, op: { source: string; current: string; log?: Logger | undefined }): Promise<void> {
  const id = randomBytes(4).toString('hex');
  const dir = dirname(op.current);
  const fresh = join(dir, `.${basename(op.current)}.revert-${id}`);
  const old = join(dir, `.${basename(op.current)}.old-${id}`);
  try {
    await exec('btrfs', ['subvolume', 'snapshot', op.source, fresh]);
  } catch (err) {
    throw btrfsError(`copying ${op.source} for revert`, err);
  }
  try {
    await renameSubvolume(op.current, old);
  } catch (err) {
    await deleteSubvolumes(exec, [fresh]).catch(() => undefined);
    throw err;
  }
  try {
    await renameSubvolume(fresh, op.current);
  } catch (err) {
    await renameSubvolume(old, op.current);
    await deleteSubvolumes(exec, [fresh]).catch(() => undefined);
    throw err;
  }
  await deleteSubvolumes(exec, [old]).catch((err: unknown) => op.log?.warn({ err, path: old }, 'revert: old subvolume left behind; init() deletes it'));
}

/** Finishes or undoes reverts a crash interrupted (see the comment at the top). Idempotent. */
export async function recoverInterruptedReverts(exec: Exec, instancesDir: string, log?: Logger): Promise<void> {
  const entries = (await readdir(instancesDir)).map((e) => [e, LEFTOVER.exec(e)] as const).filter(([, m]) => m !== null);
  const names = new Set(await readdir(instancesDir));
  // Old copies first: one whose instance is missing is the only copy of its data.
  entries.sort(([, a], [, b]) => (a![2] === b![2] ? 0 : a![2] === 'old' ? -1 : 1));
  for (const [entry, m] of entries) {
    const name = m![1]!;
    if (m![2] === 'old' && !names.has(name)) {
      await renameSubvolume(join(instancesDir, entry), join(instancesDir, name));
      names.add(name);
      log?.warn({ name }, 'revert was interrupted before the swap; kept the data from before it');
    } else {
      await deleteSubvolumes(exec, [join(instancesDir, entry)]);
      log?.info({ name, leftover: entry }, 'removed a leftover of an interrupted revert');
    }
  }
}
