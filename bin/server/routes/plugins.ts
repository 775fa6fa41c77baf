import type { FastifyInstance } from 'fastify';
import { DsError } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { PluginInfo } from '../../../plugin-sdk/client/types.js';
import type { ExtRouter } from '../ext-router.js';
import { pluginList, toPluginInfo } from '../plugin-info.js';
import { jsonRoute } from '../route-schema.js';
import { NoBody } from '../schemas/requests.js';
import { PluginInfoSchema, ref } from '../schemas/wire.js';

const TAGS = ['plugins'];
const LIST = { type: 'array', items: ref(PluginInfoSchema) };

/**
 * `GET /api/v1/plugins`, `GET /api/v1/plugins/:name` (ready plugins only; unknown or disabled
 * is 404 with the original's texts) and `POST /api/v1/plugins/reload` (api-v1 §6.15–6.17).
 * A reload answers once the new generation's plugin routes are mounted.
 */
export function pluginRoutes(app: FastifyInstance, kernel: Kernel, ext: ExtRouter): void {
  app.get('/api/v1/plugins', { schema: jsonRoute({ summary: 'Every plugin with its status, sorted by name', tags: TAGS, ok: LIST }) }, async (): Promise<PluginInfo[]> => pluginList(kernel.plugins()));

  app.get<{ Params: { name: string } }>(
    '/api/v1/plugins/:name',
    { schema: jsonRoute({ summary: 'One ready plugin', tags: TAGS, params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, ok: ref(PluginInfoSchema) }) },
    async (req): Promise<PluginInfo> => {
      const { name } = req.params;
      const found = kernel.plugins().find((p) => p.id === name);
      if (!found) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`, { details: { plugin: name } });
      if (found.status !== 'ok') {
        throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" is disabled: ${found.reason ?? found.status}`, { details: { plugin: name, state: found.status } });
      }
      return toPluginInfo(found);
    },
  );

  app.post('/api/v1/plugins/reload', { schema: jsonRoute({ summary: 'Rescan the plugin directory and apply changes', tags: TAGS, body: NoBody, ok: LIST }) }, async (): Promise<PluginInfo[]> => {
    const report = await kernel.reload();
    await ext.settled();
    return pluginList(report.plugins);
  });
}
