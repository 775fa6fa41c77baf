import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Creates `file` (mode 0600, and its directory) as a sparse file of `sizeBytes` — the
 * backing image of a loop or file-backed pool, before it is formatted. Never touches an
 * existing file: not idempotent on purpose, so a pool image is never truncated.
 * @throws the fs error; `code: 'EEXIST'` when the file already exists.
 */
export async function createSparseFile(file: string, sizeBytes: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    await handle.truncate(sizeBytes);
  } finally {
    await handle.close();
  }
}
