import { DsError } from './errors.js';
import type { CapabilityRef } from '../plugin-sdk/capability.js';

interface Provision {
  pluginId: string;
  key: string | undefined;
  impl: unknown;
}

/**
 * Typed capability registry. `single` refs resolve to exactly one implementation (the
 * configured choice when several plugins provide it); `multi` refs to a map keyed by the
 * provider's key. One registry per plugin generation.
 */
export class CapabilityRegistry {
  private readonly provisions = new Map<string, Provision[]>();

  /** @param selection config `capabilities`: capability id → chosen plugin id. */
  constructor(private readonly selection: Readonly<Record<string, string>> = {}) {}

  /** @throws DsError DS_ERR_PLUGIN_DUPLICATE when the same multi key is provided twice. */
  register(ref: CapabilityRef<unknown>, pluginId: string, impl: unknown, key?: string): void {
    const list = this.provisions.get(ref.id) ?? [];
    if (ref.cardinality === 'multi') {
      if (!key) throw new TypeError(`plugin "${pluginId}" must give a key when providing the multi capability "${ref.id}"`);
      const clash = list.find((p) => p.key === key);
      if (clash) {
        throw new DsError('DS_ERR_PLUGIN_DUPLICATE', `plugins "${clash.pluginId}" and "${pluginId}" both provide ${ref.id} "${key}"; disable one of them (plugins.disabled)`, {
          details: { capability: ref.id, key, plugins: [clash.pluginId, pluginId] },
        });
      }
    }
    list.push({ pluginId, key, impl });
    this.provisions.set(ref.id, list);
  }

  /** Removes everything one plugin provided (it failed after providing, or is being replaced). */
  removePlugin(pluginId: string): void {
    for (const [id, list] of this.provisions) this.provisions.set(id, list.filter((p) => p.pluginId !== pluginId));
  }

  /** Which plugin serves a single capability, or why none does. */
  resolveSingle(ref: CapabilityRef<unknown>): { ok: true; pluginId: string; impl: unknown } | { ok: false; error: DsError } {
    const list = this.provisions.get(ref.id) ?? [];
    const chosen = this.selection[ref.id];
    if (chosen !== undefined && list.length > 0) {
      const hit = list.find((p) => p.pluginId === chosen);
      if (hit) return { ok: true, pluginId: hit.pluginId, impl: hit.impl };
      return {
        ok: false,
        error: new DsError('DS_ERR_CAPABILITY_MISSING', `capability "${ref.id}" is set to plugin "${chosen}" (config capabilities.${ref.id}), but that plugin is not running; running providers: ${list.map((p) => p.pluginId).join(', ')}`, {
          details: { capability: ref.id, selected: chosen },
        }),
      };
    }
    if (list.length === 1) return { ok: true, pluginId: list[0]!.pluginId, impl: list[0]!.impl };
    if (list.length === 0) {
      return {
        ok: false,
        error: new DsError('DS_ERR_CAPABILITY_MISSING', `no running plugin provides the "${ref.id}" capability (${ref.description}); see \`dockersnap plugin list\` for why its provider is not running`, {
          details: { capability: ref.id },
        }),
      };
    }
    return {
      ok: false,
      error: new DsError('DS_ERR_CAPABILITY_AMBIGUOUS', `plugins ${list.map((p) => `"${p.pluginId}"`).join(' and ')} all provide "${ref.id}"; choose one with config capabilities.${ref.id}: <plugin-id>`, {
        details: { capability: ref.id, providers: list.map((p) => p.pluginId) },
      }),
    };
  }

  /** @throws DsError DS_ERR_CAPABILITY_MISSING / DS_ERR_CAPABILITY_AMBIGUOUS */
  get<T>(ref: CapabilityRef<T, 'single'>): T {
    const r = this.resolveSingle(ref);
    if (!r.ok) throw r.error;
    return r.impl as T;
  }

  tryGet<T>(ref: CapabilityRef<T, 'single'>): T | undefined {
    const r = this.resolveSingle(ref);
    return r.ok ? (r.impl as T) : undefined;
  }

  getMulti<T>(ref: CapabilityRef<T, 'multi'>): ReadonlyMap<string, T> {
    return new Map((this.provisions.get(ref.id) ?? []).map((p) => [p.key!, p.impl as T]));
  }

  /** Resolves a ref of either cardinality (used to build `ctx.capabilities`). */
  resolve(ref: CapabilityRef<unknown>): unknown {
    return ref.cardinality === 'multi' ? this.getMulti(ref as CapabilityRef<unknown, 'multi'>) : this.get(ref as CapabilityRef<unknown, 'single'>);
  }

  /** Capability ids → providing plugin ids (for status and docs). */
  summary(): Record<string, string[]> {
    return Object.fromEntries([...this.provisions].map(([id, list]) => [id, list.map((p) => (p.key ? `${p.pluginId}:${p.key}` : p.pluginId))]));
  }
}
