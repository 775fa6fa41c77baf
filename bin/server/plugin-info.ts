import type { PluginStatus } from '../../kernel/plugins/status.js';
import type { PluginInfo } from '../../plugin-sdk/client/types.js';

/**
 * A kernel plugin's status as the wire's `PluginInfo` (api-v1 §8.4): `name`, `status`
 * (`ready`/`disabled`), `error`, `version`, `description` as the original sends them, plus
 * our `state` (ok|skip|error), `code`, `kind`, `source`, `provides`, `requires`, `hooks`,
 * `commands`.
 */
export function toPluginInfo(s: PluginStatus): PluginInfo {
  return {
    name: s.id,
    status: s.status === 'ok' ? 'ready' : 'disabled',
    ...(s.status !== 'ok' && s.reason !== undefined ? { error: s.reason } : {}),
    ...(s.version === undefined ? {} : { version: s.version }),
    ...(s.description === undefined ? {} : { description: s.description }),
    state: s.status,
    ...(s.code === undefined ? {} : { code: s.code }),
    kind: 'kernel',
    source: s.source,
    provides: s.provides,
    requires: s.requires,
    hooks: s.hooks,
    commands: s.commands,
  };
}

/** Plugin entries sorted by name (api-v1 §6.15). */
export function sortByName(list: readonly PluginInfo[]): PluginInfo[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every kernel plugin, sorted by name, always an array. */
export function pluginList(statuses: readonly PluginStatus[]): PluginInfo[] {
  return sortByName(statuses.map(toPluginInfo));
}
