import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerdSpec } from '../../plugin-sdk/index.js';

/**
 * The last spec each instance's dockerd was started with, one JSON file per instance in the
 * plugin's state dir: what a freshly loaded supervisor (after a plugin reload or a daemon
 * restart) needs to keep watching — and restarting — daemons it did not launch itself.
 */
export class SpecStore {
  constructor(private readonly dir: string) {}

  private file(instance: string): string {
    return join(this.dir, `${instance}.json`);
  }

  async save(spec: DockerdSpec): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFile(this.file(spec.instance), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
  }

  async remove(instance: string): Promise<void> {
    await rm(this.file(instance), { force: true });
  }

  /** Every stored spec; unreadable files are skipped. */
  async list(): Promise<DockerdSpec[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const specs: DockerdSpec[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const spec = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as DockerdSpec;
        if (typeof spec.instance === 'string' && typeof spec.netns?.path === 'string') specs.push(spec);
      } catch {
        /* a half-written or foreign file */
      }
    }
    return specs;
  }
}
