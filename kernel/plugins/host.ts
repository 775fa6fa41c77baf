import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DsError } from '../errors.js';
import type { DockersnapConfig } from '../config/types.js';
import type { AnyPluginDefinition } from '../../plugin-sdk/define-plugin.js';
import type { CapabilityRef } from '../../plugin-sdk/capability.js';
import type { Exec } from '../../plugin-sdk/exec.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { discover, type Candidate } from './discovery.js';
import { importPlugin, pruneCache } from './loader.js';
import { graphLevels, orderGraph, type GraphNode } from './graph.js';
import { validatePluginConfig } from './plugin-config.js';
import { Generation, type Lease } from './generation.js';
import { activate, closeInstance, failedInstance, setupPlugin, skippedInstance, type PluginInstance, type SetupEnv } from './plugin-instance.js';
import { statusOf, type PluginStatus } from './status.js';

export interface PluginHostOptions {
  settings: DockersnapConfig;
  log: Logger;
  makeExec: (log: Logger) => Exec;
  /** Builtin plugin folder; `null` boots without builtins. */
  builtinDir: string | null;
  /** User plugin folder; default `settings.plugins.dir`; `null` for none. */
  userDir?: string | null;
  /** In-memory plugins (tests, embedders). */
  inline?: readonly AnyPluginDefinition[];
  setupTimeoutMs: number;
  hookTimeoutMs: number;
}

export interface ReloadReport {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  plugins: PluginStatus[];
}

interface Loaded {
  candidate: Candidate;
  def?: AnyPluginDefinition;
  failed?: PluginInstance;
}

/**
 * Discovers, orders, sets up, reloads and closes plugins. Holds the current generation;
 * the kernel leases it per operation.
 */
export class PluginHost {
  private current: Generation;
  private nextId = 1;
  private reloading: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<(gen: Generation) => void> = [];
  private closed = false;

  private constructor(private readonly options: PluginHostOptions) {
    this.current = new Generation(0, options.settings.capabilities);
  }

  /** Boots the first generation. @throws DsError DS_ERR_PLUGIN_REQUIRED when a required plugin is not ok. */
  static async boot(options: PluginHostOptions): Promise<PluginHost> {
    const host = new PluginHost(options);
    const gen = await host.build(undefined);
    const missing = host.missingRequired(gen);
    if (missing) {
      await host.closeGeneration(gen, undefined);
      throw missing;
    }
    host.current = gen;
    return host;
  }

  get generation(): Generation {
    return this.current;
  }

  acquire(): Lease {
    return this.current.acquire();
  }

  status(): PluginStatus[] {
    return [...this.current.plugins.values()].map(statusOf).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Called with every new generation after a reload swapped it in. */
  onGeneration(fn: (gen: Generation) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Re-scans the plugin directory and applies added, removed and changed plugins without a
   * restart. Serialised: concurrent calls run one after the other.
   * @throws DsError DS_ERR_PLUGIN_REQUIRED (the old set stays) or DS_ERR_PLUGIN_LOAD for an unreadable dir.
   */
  reload(): Promise<ReloadReport> {
    const run = this.reloading.then(() => this.reloadNow());
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<ReloadReport> {
    if (this.closed) throw new DsError('DS_ERR_CONFLICT', 'the plugin host is shutting down');
    const old = this.current;
    const gen = await this.build(old);
    const missing = this.missingRequired(gen);
    if (missing) {
      await this.closeGeneration(gen, old);
      throw missing;
    }
    this.current = gen;
    const report = this.diff(old, gen);
    void this.retire(old, gen);
    for (const fn of this.listeners) fn(gen);
    return report;
  }

  /** Closes every plugin LIFO once in-flight operations are done. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reloading;
    await this.current.drained();
    await this.closeGeneration(this.current, undefined);
  }

  private diff(old: Generation, gen: Generation): ReloadReport {
    const added: string[] = [];
    const changed: string[] = [];
    const unchanged: string[] = [];
    for (const [id, p] of gen.plugins) {
      const before = old.plugins.get(id);
      if (!before) added.push(id);
      else if (before === p) unchanged.push(id);
      else changed.push(id);
    }
    const removed = [...old.plugins.keys()].filter((id) => !gen.plugins.has(id));
    return { added, removed, changed, unchanged, plugins: this.status() };
  }

  private async retire(old: Generation, next: Generation): Promise<void> {
    await old.drained();
    await this.closeGeneration(old, next);
    const keep = new Set(next.okPlugins().filter((p) => p.candidate.source === 'dir').map((p) => join(this.cacheDir, `${p.id}-${p.candidate.fingerprint.slice(0, 16)}`)));
    await pruneCache(this.cacheDir, keep).catch(() => undefined);
  }

  /** Closes (LIFO) the plugins of `gen` that `survivor` does not carry on. */
  private async closeGeneration(gen: Generation, survivor: Generation | undefined): Promise<void> {
    const alive = new Set(survivor ? survivor.plugins.values() : []);
    for (const p of [...gen.plugins.values()].reverse()) {
      if (!alive.has(p)) await closeInstance(p, this.options.log);
    }
  }

  private missingRequired(gen: Generation): DsError | undefined {
    const bad = this.options.settings.plugins.required.filter((id) => gen.plugins.get(id)?.state !== 'ok');
    if (bad.length === 0) return undefined;
    const why = bad.map((id) => `"${id}" is ${gen.plugins.get(id)?.state ?? 'not installed'}${gen.plugins.get(id)?.reason ? ` (${gen.plugins.get(id)!.reason})` : ''}`);
    return new DsError('DS_ERR_PLUGIN_REQUIRED', `required plugins are not running: ${why.join('; ')}; fix them or remove them from plugins.required`, { details: { plugins: bad } });
  }

  private get cacheDir(): string {
    return this.options.settings.plugins.cache_dir;
  }

  private get env(): SetupEnv {
    const o = this.options;
    return { settings: o.settings, log: o.log, makeExec: o.makeExec, setupTimeoutMs: o.setupTimeoutMs, hookTimeoutMs: o.hookTimeoutMs };
  }

  private async candidates(): Promise<Candidate[]> {
    const o = this.options;
    const found = await discover({ builtinDir: o.builtinDir ?? undefined, userDir: o.userDir === undefined ? o.settings.plugins.dir : (o.userDir ?? undefined) });
    const inline = (o.inline ?? []).map((def): Candidate => ({ dir: '', source: 'inline', folder: def.id, manifest: { id: def.id, version: def.version, main: '', apiVersion: 1, commands: {} }, fingerprint: `inline:${def.id}` }));
    return [...found, ...inline];
  }

  private async load(candidates: Candidate[], prev: Generation | undefined): Promise<Map<string, Loaded>> {
    const byId = new Map<string, Loaded[]>();
    for (const c of candidates) {
      const id = c.manifest?.id ?? c.folder;
      byId.set(id, [...(byId.get(id) ?? []), { candidate: c }]);
    }
    const loaded = new Map<string, Loaded>();
    const out = loaded;
    await Promise.all(
      [...byId].map(async ([id, list]) => {
        const c = list[0]!.candidate;
        if (list.length > 1) {
          const where = list.map((l) => l.candidate.dir || `inline:${id}`).join(' and ');
          out.set(id, { candidate: c, failed: failedInstance(c, id, new DsError('DS_ERR_PLUGIN_DUPLICATE', `plugin id "${id}" is used by ${where}; ids must be unique, rename or remove one`, { details: { plugin: id } })) });
          return;
        }
        if (c.error) return void out.set(id, { candidate: c, failed: failedInstance(c, id, c.error) });
        const before = prev?.plugins.get(id);
        if (before?.def && before.candidate.fingerprint === c.fingerprint && before.candidate.dir === c.dir) return void out.set(id, { candidate: c, def: before.def });
        const inlineDef = c.source === 'inline' ? this.options.inline?.find((d) => d.id === id) : undefined;
        try {
          out.set(id, { candidate: c, def: inlineDef ?? (await importPlugin(c, this.cacheDir)) });
        } catch (err) {
          out.set(id, { candidate: c, failed: failedInstance(c, id, err) });
        }
      }),
    );
    // Imports finish in any order; set-up order must not depend on that.
    return new Map([...loaded].sort(([a], [b]) => a.localeCompare(b)));
  }

  private graphNodes(ready: Map<string, { def: AnyPluginDefinition }>, all: ReadonlySet<string>, failed: Map<string, PluginInstance>, loaded: Map<string, Loaded>): GraphNode[] {
    const selection = this.options.settings.capabilities;
    const providers = new Map<string, string[]>();
    for (const [id, { def }] of ready) for (const ref of def.provides ?? []) providers.set(ref.id, [...(providers.get(ref.id) ?? []), id]);
    const nodes: GraphNode[] = [];
    for (const [id, { def }] of ready) {
      const unknown = (def.after ?? []).find((t) => !all.has(t));
      if (unknown) {
        failed.set(id, failedInstance(loaded.get(id)!.candidate, id, new DsError('DS_ERR_PLUGIN_UNKNOWN_TARGET', `plugin "${id}" must set up after "${unknown}", but no plugin "${unknown}" is installed`, { details: { plugin: id, after: unknown } }), def));
        continue;
      }
      const deps = new Set((def.after ?? []).filter((t) => ready.has(t)));
      for (const ref of Object.values((def.requires ?? {}) as Record<string, CapabilityRef<unknown>>)) {
        const list = (providers.get(ref.id) ?? []).filter((p) => p !== id);
        const chosen = selection[ref.id];
        for (const p of ref.cardinality === 'single' && chosen && list.includes(chosen) ? [chosen] : list) deps.add(p);
      }
      nodes.push({ id, deps: [...deps] });
    }
    return nodes;
  }

  private async build(prev: Generation | undefined): Promise<Generation> {
    const s = this.options.settings;
    const gen = new Generation(this.nextId++, s.capabilities);
    const loaded = await this.load(await this.candidates(), prev);
    const failed = new Map<string, PluginInstance>();
    const ready = new Map<string, { def: AnyPluginDefinition; config: Record<string, unknown>; fingerprint: string }>();
    for (const [id, l] of loaded) {
      if (l.failed) failed.set(id, l.failed);
      else if (s.plugins.disabled.includes(id)) failed.set(id, skippedInstance(l.candidate, l.def!, 'disabled by config plugins.disabled'));
      else {
        try {
          const config = await validatePluginConfig(l.def!, s, l.candidate.source === 'builtin' ? l.candidate.dir : undefined);
          const fingerprint = `${l.candidate.fingerprint}:${createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16)}`;
          ready.set(id, { def: l.def!, config, fingerprint });
        } catch (err) {
          failed.set(id, failedInstance(l.candidate, id, err, l.def));
        }
      }
    }
    const nodes = this.graphNodes(ready, new Set(loaded.keys()), failed, loaded);
    const { order, errors } = orderGraph(nodes);
    for (const [id, err] of errors) failed.set(id, failedInstance(loaded.get(id)!.candidate, id, err, ready.get(id)?.def));
    const kept = new Set<string>();
    const deps = new Map(nodes.map((n) => [n.id, n.deps]));
    for (const level of graphLevels(order, deps)) {
      // One level at a time (its providers are live before the next level resolves them);
      // within a level, setups run concurrently and activate in order.
      let turn = Promise.resolve();
      const done = level.map((id) => {
        const mine = turn;
        const result = this.instantiate(id, ready.get(id)!, loaded.get(id)!.candidate, deps.get(id) ?? [], kept, gen, prev, mine);
        turn = result.then(() => undefined);
        return result;
      });
      const instances = await Promise.all(done);
      level.forEach((id, i) => gen.plugins.set(id, instances[i]!));
    }
    for (const [id, p] of failed) gen.plugins.set(id, p);
    return gen;
  }

  /**
   * A plugin whose required capability has no running provider because every provider
   * skipped (the host lacks something) skips too, rather than failing: on a host without
   * root, `port-proxy` is as unusable as the `netns` it needs, not broken.
   */
  private skippedDependency(def: AnyPluginDefinition, gen: Generation): string | undefined {
    for (const ref of Object.values((def.requires ?? {}) as Record<string, CapabilityRef<unknown>>)) {
      if (gen.capabilities.resolveSingle(ref).ok || ref.cardinality === 'multi') continue;
      const providers = [...gen.plugins.values()].filter((p) => p.def?.provides?.some((x) => x.id === ref.id));
      if (providers.length > 0 && providers.every((p) => p.state === 'skip')) {
        return `requires capability "${ref.id}", whose provider${providers.length > 1 ? 's' : ''} skipped: ${providers.map((p) => `${p.id} (${p.reason ?? 'skipped'})`).join('; ')}`;
      }
    }
    return undefined;
  }

  private async instantiate(id: string, r: { def: AnyPluginDefinition; config: Record<string, unknown>; fingerprint: string }, candidate: Candidate, deps: string[], kept: Set<string>, gen: Generation, prev: Generation | undefined, turn: Promise<void>): Promise<PluginInstance> {
    const before = prev?.plugins.get(id);
    if (before?.state === 'ok' && before.fingerprint === r.fingerprint && deps.every((d) => kept.has(d))) {
      await turn;
      try {
        activate(before, gen.hooks, gen.capabilities, this.options.hookTimeoutMs);
        kept.add(id);
        return before;
      } catch (err) {
        return failedInstance(candidate, id, err, r.def);
      }
    }
    const skipped = this.skippedDependency(r.def, gen);
    if (skipped) return skippedInstance(candidate, r.def, skipped);
    const p = await setupPlugin(candidate, r.def, r.config, r.fingerprint, this.env, gen.hooks, gen.capabilities, turn);
    if (p.state === 'error') this.options.log.warn({ plugin: id, code: p.code, err: p.reason }, 'plugin failed');
    return p;
  }
}

