import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../kernel/config/defaults.js';
import type { DockersnapConfig } from '../../kernel/config/types.js';
import { Kernel } from '../../kernel/kernel.js';
import { silentLogger } from '../../kernel/logger.js';
import { definePlugin, type AnyPluginDefinition } from '../define-plugin.js';
import type { CapabilityRef } from '../capability.js';
import type { Logger } from '../logger.js';

/** Deep-merges `patch` into `base` (objects merge, everything else replaces). */
function merge<T>(base: T, patch: unknown): T {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) ? merge(out[k] ?? {}, v) : v;
  return out as T;
}

/** Settings whose every path lives under `dir`, so a test never touches the host's. */
export function testSettings(dir: string, overrides: Record<string, unknown> = {}): DockersnapConfig {
  const paths = {
    state_file: join(dir, 'state.json'),
    run_dir: join(dir, 'run'),
    data_dir: join(dir, 'data'),
    plugins: { dir: join(dir, 'plugins'), cache_dir: join(dir, 'plugin-cache'), hook_timeout: '5s', setup_timeout: '5s' },
  };
  const settings = merge(merge(defaultConfig(), paths), overrides);
  // Capability selection is replaced, not merged: tests choose their providers explicitly.
  settings.capabilities = (overrides['capabilities'] as Record<string, string> | undefined) ?? {};
  return settings;
}

/** A fake for one capability: `[ref, impl]` or, for multi capabilities, `[ref, impl, key]`. */
export type Fake = readonly [CapabilityRef<any>, unknown] | readonly [CapabilityRef<any>, unknown, string];

export interface TestKernelOptions {
  /** Plugins under test (definitions, in memory). */
  plugins?: readonly AnyPluginDefinition[];
  /** Capability implementations to provide instead of real plugins. */
  fakes?: readonly Fake[];
  /** Also load the builtin plugins (default false). */
  builtins?: boolean;
  /** A user plugin dir to scan (default: none). */
  pluginDir?: string | null;
  /** Settings patch (deep-merged over test settings). */
  settings?: Record<string, unknown>;
  log?: Logger;
}

export interface TestKernel {
  kernel: Kernel;
  dir: string;
  settings: DockersnapConfig;
  /** Closes the kernel and removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

/**
 * Boots a real kernel for one test — real plugin host, hooks and capability registry —
 * with fakes standing in for the capabilities the test does not exercise.
 */
export async function startTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const dir = mkdtempSync(join(tmpdir(), 'dstest-kernel-'));
  const settings = testSettings(dir, options.settings);
  const fakes = (options.fakes ?? []).map(([ref, impl, key], i) =>
    definePlugin({
      id: `fake-${ref.id.toLowerCase()}${key ? `-${key}` : ''}-${i}`,
      version: '0.0.0',
      description: `test fake for ${ref.id}`,
      provides: [ref],
      setup(ctx) {
        ctx.provide(ref, impl, key ? { key } : undefined);
      },
    }),
  );
  let kernel: Kernel;
  try {
    kernel = await Kernel.start({ settings, log: options.log ?? silentLogger(), builtins: options.builtins ?? false, pluginDir: options.pluginDir ?? null, plugins: [...fakes, ...(options.plugins ?? [])] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    kernel,
    dir,
    settings,
    async close() {
      if (closed) return;
      closed = true;
      await kernel.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
