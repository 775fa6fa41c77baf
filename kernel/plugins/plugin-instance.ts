import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DsError, errorMessage, isDsError } from '../errors.js';
import { createTapRecorder, registerTaps, type TapRecord } from '../hook-taps.js';
import type { LifecycleHooks } from '../hooks.js';
import type { CapabilityRegistry } from '../capabilities.js';
import type { DockersnapConfig } from '../config/types.js';
import type { AnyPluginDefinition, PluginContext } from '../../plugin-sdk/define-plugin.js';
import { isSkipPlugin } from '../../plugin-sdk/define-plugin.js';
import type { CapabilityRef } from '../../plugin-sdk/capability.js';
import type { Exec } from '../../plugin-sdk/exec.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import type { Candidate } from './discovery.js';

export type PluginState = 'ok' | 'skip' | 'error';

/** One plugin as the host holds it: definition, outcome, and what it registered. */
export interface PluginInstance {
  id: string;
  candidate: Candidate;
  def: AnyPluginDefinition | undefined;
  state: PluginState;
  reason?: string;
  code?: string;
  /** Fingerprint of code + config: equal means "nothing to reload". */
  fingerprint: string;
  /** Taps recorded during setup, replayed into every later generation. */
  taps: TapRecord[];
  provisions: Array<{ ref: CapabilityRef<unknown>; impl: unknown; key: string | undefined }>;
  closers: Array<() => void | Promise<void>>;
  abort: AbortController;
  /** Effective config (validated, defaults applied). */
  config: Record<string, unknown>;
  /** The context `setup` received (route contributions get the same one). */
  ctx?: PluginContext<Record<string, unknown>, Record<string, never>>;
}

export interface SetupEnv {
  settings: DockersnapConfig;
  log: Logger;
  makeExec: (log: Logger) => Exec;
  setupTimeoutMs: number;
  hookTimeoutMs: number;
}

export function failedInstance(candidate: Candidate, id: string, err: unknown, def?: AnyPluginDefinition): PluginInstance {
  const e = isDsError(err) ? err : new DsError('DS_ERR_PLUGIN_LOAD', errorMessage(err));
  return { id, candidate, def, state: 'error', reason: e.message, code: e.code, fingerprint: candidate.fingerprint, taps: [], provisions: [], closers: [], abort: new AbortController(), config: {} };
}

export function skippedInstance(candidate: Candidate, def: AnyPluginDefinition, reason: string): PluginInstance {
  return { id: def.id, candidate, def, state: 'skip', reason, fingerprint: candidate.fingerprint, taps: [], provisions: [], closers: [], abort: new AbortController(), config: {} };
}

/** Runs a plugin's closers LIFO; failures are logged, never thrown. */
export async function closeInstance(p: PluginInstance, log: Logger): Promise<void> {
  p.abort.abort();
  for (const close of p.closers.splice(0).reverse()) {
    try {
      await close();
    } catch (err) {
      log.warn({ plugin: p.id, err: errorMessage(err) }, 'plugin close failed');
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => DsError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function buildContext(p: PluginInstance, def: AnyPluginDefinition, env: SetupEnv, capabilities: Record<string, unknown>, paths: { state: string; run: string }): PluginContext<Record<string, unknown>, Record<string, never>> {
  const log = env.log.child({ plugin: def.id });
  const declared = new Set((def.provides ?? []).map((r) => r.id));
  return Object.freeze({
    id: def.id,
    log,
    config: Object.freeze(p.config),
    settings: env.settings,
    paths: Object.freeze(paths),
    exec: env.makeExec(log),
    hooks: createTapRecorder(def.id, p.taps),
    capabilities: Object.freeze(capabilities) as never,
    provide<T>(ref: CapabilityRef<T>, impl: T, options?: { key?: string }) {
      if (!declared.has(ref.id)) throw new TypeError(`plugin "${def.id}" provides "${ref.id}" but does not declare it in provides`);
      p.provisions.push({ ref: ref as CapabilityRef<unknown>, impl, key: options?.key });
    },
    onClose(fn: () => void | Promise<void>) {
      p.closers.push(fn);
    },
    signal: p.abort.signal,
  });
}

/** Makes a plugin's taps and capabilities live in a generation; undoes its provisions on failure. */
export function activate(p: PluginInstance, hooks: LifecycleHooks, registry: CapabilityRegistry, hookTimeoutMs: number): void {
  try {
    for (const prov of p.provisions) registry.register(prov.ref, p.id, prov.impl, prov.key);
    registerTaps(hooks, p.taps, hookTimeoutMs);
  } catch (err) {
    registry.removePlugin(p.id);
    throw err;
  }
}

/**
 * Validated config → resolved capabilities → `setup` under a deadline → (after `turn`)
 * activation. Never throws: the outcome is in the returned instance's `state`.
 */
export async function setupPlugin(candidate: Candidate, def: AnyPluginDefinition, config: Record<string, unknown>, fingerprint: string, env: SetupEnv, hooks: LifecycleHooks, registry: CapabilityRegistry, turn: Promise<void> = Promise.resolve()): Promise<PluginInstance> {
  const p: PluginInstance = { id: def.id, candidate, def, state: 'ok', fingerprint, taps: [], provisions: [], closers: [], abort: new AbortController(), config };
  try {
    const capabilities: Record<string, unknown> = {};
    for (const [key, ref] of Object.entries((def.requires ?? {}) as Record<string, CapabilityRef<unknown>>)) {
      try {
        capabilities[key] = registry.resolve(ref);
      } catch (err) {
        throw new DsError(isDsError(err) ? err.code : 'DS_ERR_CAPABILITY_MISSING', `plugin "${def.id}" requires capability "${ref.id}": ${errorMessage(err)}`, { details: { plugin: def.id, capability: ref.id } });
      }
    }
    const paths = { state: join(env.settings.data_dir, 'plugins', def.id), run: join(env.settings.run_dir, 'plugins', def.id) };
    await Promise.all([mkdir(paths.state, { recursive: true }), mkdir(paths.run, { recursive: true })]);
    const ctx = buildContext(p, def, env, capabilities, paths);
    p.ctx = ctx;
    const started = performance.now();
    await withTimeout(Promise.resolve().then(() => def.setup(ctx)), env.setupTimeoutMs, () =>
      new DsError('DS_ERR_PLUGIN_TIMEOUT', `plugin "${def.id}" did not finish setup within ${env.setupTimeoutMs} ms (plugins.setup_timeout)`, { details: { plugin: def.id } }),
    );
    env.log.debug({ plugin: def.id, ms: Math.round(performance.now() - started) }, 'plugin set up');
    // Setups of one graph level run concurrently; taps and capabilities go live in set-up order.
    await turn;
    activate(p, hooks, registry, env.hookTimeoutMs);
    return p;
  } catch (err) {
    await closeInstance(p, env.log);
    p.taps = [];
    p.provisions = [];
    if (isSkipPlugin(err)) return { ...p, state: 'skip', reason: errorMessage(err) };
    const e = isDsError(err) ? err : new DsError('DS_ERR_PLUGIN_SETUP', `plugin "${def.id}" failed to set up: ${errorMessage(err)}`, { details: { plugin: def.id }, cause: err });
    return { ...p, state: 'error', reason: e.message, code: e.code };
  }
}
