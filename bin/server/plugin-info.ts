import { errorMessage } from '../../kernel/errors.js';
import type { PluginStatus } from '../../kernel/plugins/status.js';
import type { WorkloadDriver } from '../../plugin-sdk/capabilities/workload.js';
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

/**
 * An in-process workload (a `workload` capability key such as `echo` or `kind`) as a
 * `PluginInfo`, from its `schema()`: `status` ready, `kind` `workload`. A schema that
 * cannot be read makes the entry `disabled` with the reason.
 */
export async function workloadPluginInfo(name: string, driver: WorkloadDriver): Promise<PluginInfo> {
  try {
    const s = await driver.schema();
    return {
      name,
      status: 'ready',
      ...(s.plugin_version ? { version: s.plugin_version } : {}),
      ...(s.description ? { description: s.description } : {}),
      ...(s.supported_contract_versions?.length ? { supported_contract_versions: [...s.supported_contract_versions] } : {}),
      ...(s.config_options?.length ? { config_options: s.config_options.map((o) => ({ ...o })) } : {}),
      state: 'ok',
      kind: 'workload',
    };
  } catch (err) {
    return { name, status: 'disabled', error: `running schema: ${errorMessage(err)}`, state: 'error', kind: 'workload' };
  }
}

/** Every in-process workload of a generation's capability map, in name order. */
export function workloadPluginList(drivers: ReadonlyMap<string, WorkloadDriver>): Promise<PluginInfo[]> {
  return Promise.all([...drivers].map(([name, d]) => workloadPluginInfo(name, d))).then(sortByName);
}
