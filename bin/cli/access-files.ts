import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { DsError } from '../../kernel/errors.js';
import type { AccessBundle } from '../../plugin-sdk/client/index.js';

/** The token the CLI resolves (plugin-contract §10); the daemon leaves it literal. */
export const ACCESS_DIR_TOKEN = '${ACCESS_DIR}';

/** `~/.dockersnap/<instance>`: where `use` writes an instance's access files. */
export function accessDir(instance: string, home: string = homedir()): string {
  return join(home, '.dockersnap', instance);
}

/** Replaces every `${ACCESS_DIR}` with `dir` (no re-scan). */
export function withAccessDir(text: string, dir: string): string {
  return text.split(ACCESS_DIR_TOKEN).join(dir);
}

/**
 * A file's mode from its octal text; `""` means 0600.
 * @throws DsError DS_ERR_INVALID_INPUT `file "<f>": invalid mode "<m>": …`
 */
export function parseMode(file: string, mode: string | undefined): number {
  if (mode === undefined || mode === '') return 0o600;
  if (!/^0?[0-7]{1,4}$/.test(mode)) throw new DsError('DS_ERR_INVALID_INPUT', `file "${file}": invalid mode "${mode}": expected octal permissions such as 0600`, { details: { file, mode } });
  return parseInt(mode, 8);
}

/**
 * Creates `dir` (0755, as the original even without files) and writes the bundle's files into it, `${ACCESS_DIR}` replaced by `dir`, each
 * with its mode on creation (an existing file is overwritten, its mode kept). Unlike the
 * original, a file name that is not a plain name (`../x`, `a/b`) is refused: a plugin must not
 * write outside the access dir. Returns the written paths.
 * @throws DsError DS_ERR_INVALID_INPUT for a bad name or mode; DS_ERR_HOST_TOOL when writing fails.
 */
export async function writeAccessFiles(bundle: AccessBundle, dir: string): Promise<string[]> {
  const files = bundle.files ?? [];
  for (const f of files) {
    if (f.name === '' || f.name === '.' || f.name === '..' || basename(f.name) !== f.name) {
      throw new DsError('DS_ERR_INVALID_INPUT', `file ${JSON.stringify(f.name)}: not a plain file name; refusing to write outside ${dir}`, { details: { file: f.name } });
    }
    parseMode(f.name, f.mode);
  }
  const written: string[] = [];
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    for (const f of files) {
      const path = join(dir, f.name);
      await writeFile(path, withAccessDir(f.content, dir), { mode: parseMode(f.name, f.mode) });
      written.push(path);
    }
  } catch (err) {
    throw new DsError('DS_ERR_HOST_TOOL', (err as Error).message, { cause: err });
  }
  return written;
}
