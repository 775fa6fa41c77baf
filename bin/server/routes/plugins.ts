import type { FastifyInstance } from 'fastify';
import { DsError } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { workloadCatalogCapability, type WorkloadCatalog } from '../../../plugin-sdk/capabilities/workload-catalog.js';
import type { PluginInfo } from '../../../plugin-sdk/client/types.js';
import type { ExtRouter } from '../ext-router.js';
import { pluginList, sortByName, toPluginInfo } from '../plugin-info.js';
import { jsonRoute } from '../route-schema.js';
import { NoBody } from '../schemas/requests.js';
import { PluginInfoSchema, ref } from '../schemas/wire.js';

const TAGS = ['plugins'];
const LIST = { type: 'array', items: ref(PluginInfoSchema) };

/** Runs `fn` with the exec workload catalog of the current generation, if a plugin provides one. */
function withCatalog<T>(kernel: Kernel, fn: (catalog: WorkloadCatalog | undefined) => T): T {
  const lease = kernel.acquire();
  try {
    return fn(lease.capabilities.tryGet(workloadCatalogCapability));
  } finally {
    lease.release();
  }
}

/** One plugin by name: a kernel plugin, else an exec workload plugin; only ready ones. */
function findPlugin(kernel: Kernel, name: string): PluginInfo {
  const found = kernel.plugins().find((p) => p.id === name);
  if (found && found.status === 'ok') return toPluginInfo(found);
  const exec = withCatalog(kernel, (c) => c?.get(name));
  if (exec?.status === 'ready') return exec;
  const reason = found ? (found.reason ?? found.status) : exec?.error;
  if (found || exec) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" is disabled: ${reason ?? 'unknown reason'}`, { details: { plugin: name, state: found?.status ?? 'disabled' } });
  throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`, { details: { plugin: name } });
}

/**
 * `GET /api/v1/plugins`, `GET /api/v1/plugins/:name` (ready plugins only; unknown or disabled
 * is 404 with the original's texts) and `POST /api/v1/plugins/reload` (api-v1 §6.15–6.17):
 * the kernel's plugins and, when the `workloadCatalog` capability is there, the exec workload
 * plugins of `plugins.dir` (the original's only kind). A reload re-runs both discoveries and
 * answers once the new generation's plugin routes are mounted.
 */
export function pluginRoutes(app: FastifyInstance, kernel: Kernel, ext: ExtRouter): void {
  app.get('/api/v1/plugins', { schema: jsonRoute({ summary: 'Every plugin with its status, sorted by name', tags: TAGS, ok: LIST }) }, async (): Promise<PluginInfo[]> =>
    sortByName([...pluginList(kernel.plugins()), ...withCatalog(kernel, (c) => c?.list() ?? [])]),
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
      return sortByName([...pluginList(report.plugins), ...exec]);
    } finally {
      lease.release();
    }
  });
}
