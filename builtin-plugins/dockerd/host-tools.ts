import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Directories searched besides `$PATH` (sbin is often missing from a service's PATH). */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The first of `tools` that is not an executable on PATH, or undefined when all are. */
export function missingTool(tools: readonly string[], path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  return tools.find((tool) => !dirs.some((dir) => isExecutable(join(dir, tool))));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
