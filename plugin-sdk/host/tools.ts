import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Directories searched besides `$PATH` (sbin is often missing from a service's PATH). */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first of `tools` that is not an executable file in a `path` directory or a usual
 * (s)bin directory, or undefined when all are. Called from a plugin's `setup` to decide
 * whether to throw `SkipPlugin`. Runs nothing (only access(2) checks), never throws; the
 * answer can change when tools are installed, so call it again rather than caching it.
 * @param path the search path; defaults to `$PATH`.
 */
export function missingTool(tools: readonly string[], path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  return tools.find((tool) => !dirs.some((dir) => isExecutable(join(dir, tool))));
}
