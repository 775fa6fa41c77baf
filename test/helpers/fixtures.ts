import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_PLUGINS = join(ROOT, 'fixtures', 'plugins');

export interface Expectation {
  id?: string;
  status: 'ok' | 'skip' | 'error';
  code?: string;
  reason?: string;
  reasonIncludes?: string;
  config?: Record<string, unknown>;
}

/** Every fixture case: a folder with an expect.json (`examples/` holds the third-party examples). */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_PLUGINS, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(FIXTURE_PLUGINS, e.name, 'expect.json')))
    .map((e) => e.name)
    .sort();
}

export function expectation(name: string): Expectation {
  return JSON.parse(readFileSync(join(FIXTURE_PLUGINS, name, 'expect.json'), 'utf8')) as Expectation;
}

/** Copies fixture plugin folders into a plugin dir. */
export function installFixtures(pluginDir: string, names: readonly string[]): void {
  for (const name of names) cpSync(join(FIXTURE_PLUGINS, name), join(pluginDir, name), { recursive: true });
}

/** A short per-run prefix for names of host resources (netns, instances, pools). */
export const RUN_PREFIX = `dst${(process.pid % 46656).toString(36).padStart(3, '0')}${Math.floor(Math.random() * 36).toString(36)}`;
