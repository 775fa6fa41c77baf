import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

type Bindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

/**
 * In a fresh clone's data root, clears every published host port in the copied container
 * configs (`HostPort: ""`: Docker picks a free one at start), so the clone's forwards get
 * their own host ports and it can run next to its source. Only changed files are rewritten
 * (mode kept); unreadable or invalid files are skipped, as the original does.
 * @returns the container ids whose bindings changed.
 */
export async function clearPublishedPorts(dataRoot: string): Promise<string[]> {
  const dir = join(dataRoot, 'containers');
  let ids: string[];
  try {
    ids = await readdir(dir);
  } catch {
    return [];
  }
  const changed: string[] = [];
  for (const id of ids) {
    const file = join(dir, id, 'hostconfig.json');
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as { PortBindings?: Bindings };
      let dirty = false;
      for (const list of Object.values(doc.PortBindings ?? {})) {
        for (const b of list ?? []) {
          if (b.HostPort) {
            b.HostPort = '';
            dirty = true;
          }
        }
      }
      if (!dirty) continue;
      const { mode } = await stat(file);
      await writeFile(file, JSON.stringify(doc), { mode });
      changed.push(id);
    } catch {
      // Skipped like the original: a container dir without a valid hostconfig is not ours to fix.
    }
  }
  return changed;
}
