import type { FastifyInstance } from 'fastify';
import { DsError } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import type { PluginInfo } from '../../../plugin-sdk/client/types.js';
import type { ExtRouter } from '../ext-router.js';
import { pluginList, toPluginInfo } from '../plugin-info.js';

/**
 * `GET /api/v1/plugins`, `GET /api/v1/plugins/:name` (ready plugins only; unknown or disabled
 * is 404 with the original's texts) and `POST /api/v1/plugins/reload` (api-v1 §6.15–6.17).
 * A reload answers once the new generation's plugin routes are mounted.
 */
export function pluginRoutes(app: FastifyInstance, kernel: Kernel, ext: ExtRouter): void {
  app.get('/api/v1/plugins', async (): Promise<PluginInfo[]> => pluginList(kernel.plugins()));

  app.get<{ Params: { name: string } }>('/api/v1/plugins/:name', async (req): Promise<PluginInfo> => {
    const { name } = req.params;
    const found = kernel.plugins().find((p) => p.id === name);
    if (!found) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`, { details: { plugin: name } });
    if (found.status !== 'ok') {
      throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" is disabled: ${found.reason ?? found.status}`, { details: { plugin: name, state: found.status } });
    }
    return toPluginInfo(found);
  });

  app.post('/api/v1/plugins/reload', async (): Promise<PluginInfo[]> => {
    const report = await kernel.reload();
    await ext.settled();
    return pluginList(report.plugins);
  });
}
