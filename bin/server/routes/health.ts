import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../../kernel/kernel.js';
import type { DaemonHealth } from '../../../plugin-sdk/client/types.js';
import { jsonRoute } from '../route-schema.js';
import { DaemonHealthSchema, ref } from '../schemas/wire.js';
import { formatGoDuration, rfc3339Seconds } from '../version.js';
import type { WorkloadHealthSource } from '../workload-health.js';

/** Instance and running counts; a listing failure counts as none (the original swallows it too). */
async function counts(kernel: Kernel): Promise<{ instances: number; running: number }> {
  try {
    const list = await kernel.instances.list();
    return { instances: list.length, running: list.filter((i) => i.status === 'running').length };
  } catch {
    return { instances: 0, running: 0 };
  }
}

/**
 * `GET /api/v1/health` (public, api-v1 §6.1). Always 200. `running` counts live instances;
 * `running_healthy`/`running_unhealthy` come from the workload health source (0 without a cache).
 */
export function healthRoutes(app: FastifyInstance, kernel: Kernel, info: { version: string; startedAt: Date; health: WorkloadHealthSource }): void {
  const schema = { ...jsonRoute({ summary: 'Daemon health and instance counts (public)', tags: ['daemon'], ok: ref(DaemonHealthSchema) }), security: [] };
  app.get('/api/v1/health', { schema }, async (): Promise<DaemonHealth> => {
    const { instances, running } = await counts(kernel);
    const workloads = info.health.counts();
    return {
      status: 'ok',
      version: info.version,
      uptime: formatGoDuration(Date.now() - info.startedAt.getTime()),
      started_at: rfc3339Seconds(info.startedAt),
      instances,
      running,
      running_healthy: workloads.healthy,
      running_unhealthy: workloads.unhealthy,
    };
  });
}
