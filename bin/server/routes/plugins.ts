import type { FastifyInstance } from 'fastify';
import { DsError } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { workloadCatalogCapability, type WorkloadCatalog } from '../../../plugin-sdk/capabilities/workload-catalog.js';
import type { PluginInfo } from '../../../plugin-sdk/client/types.js';
import { workloadCapability } from '../../../plugin-sdk/capabilities/workload.js';
import type { PluginStatus } from '../../../kernel/plugins/status.js';
import type { ExtRouter } from '../ext-router.js';
import { pluginList, sortByName, toPluginInfo, workloadPluginList } from '../plugin-info.js';
import { jsonRoute } from '../route-schema.js';
import { NoBody } from '../schemas/requests.js';
import { PluginInfoSchema, ref } from '../schemas/wire.js';

const TAGS = ['plugins'];
const LIST = { type: 'array', items: ref(PluginInfoSchema) };

/** The workload plugins of the current generation: in-process ones (schema read) and the exec catalog's. */
async function workloadPlugins(kernel: Kernel): Promise<{ inProcess: PluginInfo[]; exec: WorkloadCatalog | undefined }> {
  const lease = kernel.acquire();
  try {
    return { inProcess: await workloadPluginList(lease.capabilities.getMulti(workloadCapability)), exec: lease.capabilities.tryGet(workloadCatalogCapability) };
  } finally {
    lease.release();
  }
}

/**
 * In-process workloads with an exec plugin of the same name become `disabled`, saying so:
 * the plugin directory wins a clash (see `findWorkloadDriver`).
 */
function shadowed(inProcess: readonly PluginInfo[], exec: readonly PluginInfo[]): PluginInfo[] {
  const execNames = new Set(exec.map((p) => p.name));
  return inProcess.map((p) => (execNames.has(p.name) ? { ...p, status: 'disabled', state: 'skip', error: `shadowed by the exec plugin "${p.name}" in the plugin directory` } : p));
}

/** Kernel plugins, in-process workloads and exec plugins, sorted by name. */
async function everyPlugin(kernel: Kernel, statuses: readonly PluginStatus[], exec?: PluginInfo[]): Promise<PluginInfo[]> {
  const w = await workloadPlugins(kernel);
  const execList = exec ?? w.exec?.list() ?? [];
  return sortByName([...pluginList(statuses), ...shadowed(w.inProcess, execList), ...execList]);
}

/** One plugin by name: a kernel plugin, an in-process workload, else an exec workload plugin; only ready ones. */
async function findPlugin(kernel: Kernel, name: string): Promise<PluginInfo> {
  const found = kernel.plugins().find((p) => p.id === name);
  if (found && found.status === 'ok') return toPluginInfo(found);
  const w = await workloadPlugins(kernel);
  const execEntry = w.exec?.get(name);
  const candidates = execEntry ? [execEntry] : w.inProcess.filter((p) => p.name === name);
  const ready = candidates.find((p) => p.status === 'ready');
  if (ready) return ready;
  const reason = found ? (found.reason ?? found.status) : candidates[0]?.error;
  if (found || candidates.length > 0) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" is disabled: ${reason ?? 'unknown reason'}`, { details: { plugin: name, state: found?.status ?? 'disabled' } });
  throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`, { details: { plugin: name } });
}

/**
 * `GET /api/v1/plugins`, `GET /api/v1/plugins/:name` (ready plugins only; unknown or disabled
 * is 404 with the original's texts) and `POST /api/v1/plugins/reload` (api-v1 §6.15–6.17):
 * the kernel's plugins, the in-process workloads (`workload` capability keys, `kind:
 * "workload"`) and, when the `workloadCatalog` capability is there, the exec workload
 * plugins of `plugins.dir` (the original's only kind). A reload re-runs both discoveries and
 * answers once the new generation's plugin routes are mounted.
 */
export function pluginRoutes(app: FastifyInstance, kernel: Kernel, ext: ExtRouter): void {
  app.get('/api/v1/plugins', { schema: jsonRoute({ summary: 'Every plugin with its status, sorted by name', tags: TAGS, ok: LIST }) }, async (): Promise<PluginInfo[]> =>
    everyPlugin(kernel, kernel.plugins()),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/plugins/:name',
    { schema: jsonRoute({ summary: 'One ready plugin', tags: TAGS, params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, ok: ref(PluginInfoSchema) }) },
    async (req): Promise<PluginInfo> => findPlugin(kernel, req.params.name),
  );

  app.post('/api/v1/plugins/reload', { schema: jsonRoute({ summary: 'Rescan the plugin directory and apply changes', tags: TAGS, body: NoBody, ok: LIST }) }, async (): Promise<PluginInfo[]> => {
    const report = await kernel.reload();
    await ext.settled();
    const lease = kernel.acquire();
    try {
      const exec = (await lease.capabilities.tryGet(workloadCatalogCapability)?.rescan()) ?? [];
      return everyPlugin(kernel, report.plugins, exec);
    } finally {
      lease.release();
    }
  });
}
