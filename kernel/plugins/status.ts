import type { CapabilityRef } from '../../plugin-sdk/capability.js';
import type { PluginInstance, PluginState } from './plugin-instance.js';

/** What `dockersnap plugin list` and `GET /api/v1/plugins` show about a kernel plugin. */
export interface PluginStatus {
  id: string;
  version?: string;
  description?: string;
  source: 'builtin' | 'dir' | 'inline';
  path?: string;
  status: PluginState;
  reason?: string;
  code?: string;
  provides: string[];
  requires: string[];
  after: string[];
  hooks: string[];
  commands: string[];
  routes: boolean;
}

export function statusOf(p: PluginInstance): PluginStatus {
  const def = p.def;
  const m = p.candidate.manifest;
  const version = m?.version ?? def?.version;
  const description = m?.description ?? def?.description;
  return {
    id: p.id,
    ...(version === undefined ? {} : { version }),
    ...(description === undefined ? {} : { description }),
    source: p.candidate.source,
    ...(p.candidate.dir ? { path: p.candidate.dir } : {}),
    status: p.state,
    ...(p.reason === undefined ? {} : { reason: p.reason }),
    ...(p.code === undefined ? {} : { code: p.code }),
    provides: (def?.provides ?? []).map((r) => r.id),
    requires: Object.values((def?.requires ?? {}) as Record<string, CapabilityRef<unknown>>).map((r) => r.id),
    after: [...(def?.after ?? [])],
    hooks: [...new Set(p.taps.map((t) => t.hook))],
    commands: Object.keys(m?.commands ?? {}),
    routes: typeof def?.routes === 'function',
  };
}
