import type { FastifyInstance } from 'fastify';
import type { DaemonHealth } from '../../../plugin-sdk/client/types.js';
import { formatGoDuration, rfc3339Seconds } from '../version.js';

/**
 * `GET /api/v1/health` (public, api-v1 §6.1). Always 200. Instance counts are 0 until the
 * lifecycle engine lands; the original swallows listing errors the same way.
 */
export function healthRoutes(app: FastifyInstance, info: { version: string; startedAt: Date }): void {
  app.get('/api/v1/health', async (): Promise<DaemonHealth> => ({
    status: 'ok',
    version: info.version,
    uptime: formatGoDuration(Date.now() - info.startedAt.getTime()),
    started_at: rfc3339Seconds(info.startedAt),
    instances: 0,
    running: 0,
    running_healthy: 0,
    running_unhealthy: 0,
  }));
}
