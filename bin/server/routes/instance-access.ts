import type { FastifyInstance } from 'fastify';
import { DsError } from '../../../kernel/errors.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { portProxyCapability, type InstancePorts } from '../../../plugin-sdk/capabilities/port-proxy.js';
import { hostFor, resolveAccess } from '../../../kernel/lifecycle/access-tokens.js';
import { currentPorts, withWorkload } from '../instance-workload.js';
import { jsonRoute } from '../route-schema.js';
import { HealthQuery, NameParams, NoBody } from '../schemas/requests.js';
import { AccessResponseSchema, InstancePortsSchema, WorkloadDescribeSchema, WorkloadHealthSchema, ref } from '../schemas/wire.js';
import { NO_WORKLOAD_HEALTH, type WorkloadHealthSource } from '../workload-health.js';

type Named = { Params: { name: string } };

/** The record of an instance the port proxy holds nothing for (api-v1 §6.10; `[]`, not `null`). */
function noPorts(name: string): InstancePorts {
  return { instance: name, target_ip: '', ports: [] };
}

/** The bundle of an instance without a workload: only the daemon's two variables (api-v1 §6.12). */
function plainAccess(view: { name: string; socket: string }) {
  return { contract_version: '1', env: { DOCKER_HOST: `unix://${view.socket}`, DOCKERSNAP_INSTANCE: view.name } };
}

/** Omits the fields of a plugin's describe output that are empty, as the original (omitempty). */
function omitEmpty(value: Record<string, unknown>): Record<string, unknown> {
  const empty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
  return Object.fromEntries(Object.entries(value).filter(([, v]) => !empty(v)));
}

/**
 * The per-instance access routes of api-v1 §5: ports (never 404) and their refresh (404
 * unknown, 400 not running), the access bundle, the workload's describe and health. Ports
 * come from the `portProxy` capability and are empty without one.
 */
export function instanceAccessRoutes(app: FastifyInstance, kernel: Kernel, deps: { health: WorkloadHealthSource }): void {
  const instances = kernel.instances;
  const tags = ['access'];

  app.get<Named>('/api/v1/instances/:name/ports', { schema: jsonRoute({ summary: 'Host-side forwards of an instance (never 404)', tags, params: NameParams, ok: ref(InstancePortsSchema) }) }, async (req) =>
    currentPorts(kernel, req.params.name) ?? noPorts(req.params.name),
  );

  app.post<Named>(
    '/api/v1/instances/:name/ports/refresh',
    { schema: jsonRoute({ summary: "Drop and rescan an instance's forwards", description: '400 when the instance is not running; 409 while another operation runs on it.', tags, params: NameParams, body: NoBody, ok: ref(InstancePortsSchema) }) },
    async (req) => {
      const view = await instances.get(req.params.name);
      if (view.status === 'busy') throw new DsError('DS_ERR_BUSY', `instance "${view.name}" is busy: an operation is running on it; try again when it has finished`, { details: { instance: view.name } });
      if (view.status !== 'running') throw new DsError('DS_ERR_INVALID_INPUT', `instance "${view.name}" is not running`, { details: { instance: view.name, status: view.status } });
      const lease = kernel.acquire();
      try {
        const proxy = lease.capabilities.tryGet(portProxyCapability);
        return proxy ? await proxy.refresh(view.name) : noPorts(view.name);
      } finally {
        lease.release();
      }
    },
  );

  app.get<Named>(
    '/api/v1/instances/:name/access',
    { schema: jsonRoute({ summary: 'The connection bundle (env, files, endpoints)', description: '`${HOST}` and `${PORT:<label>}` resolved; `${ACCESS_DIR}` left literal.', tags, params: NameParams, ok: ref(AccessResponseSchema) }) },
    async (req) => {
      const view = await instances.get(req.params.name);
      if (!view.workload_plugin) return plainAccess(view);
      const host = hostFor(kernel.settings.api.proxy_bind, req.headers.host);
      return withWorkload(kernel, view, 'access', async ({ driver, input, ports }) => resolveAccess(await driver.access(input), { host, ports: ports?.ports ?? [], socket: view.socket, instance: view.name }));
    },
  );

  app.get<Named>('/api/v1/instances/:name/workload', { schema: jsonRoute({ summary: "The bound workload's describe output", tags: ['workload'], params: NameParams, ok: ref(WorkloadDescribeSchema) }) }, async (req) => {
    const view = await instances.get(req.params.name);
    if (!view.workload_plugin) return { workload_type: 'none' };
    const described = await withWorkload(kernel, view, 'describe', ({ driver, input }) => driver.describe(input));
    return { workload_plugin: view.workload_plugin, ...omitEmpty(described) };
  });

  app.get<Named & { Querystring: { fresh?: string } }>(
    '/api/v1/instances/:name/workload/health',
    { schema: jsonRoute({ summary: "The bound workload's health", description: 'A plugin failure is `healthy:false` with a `plugin` check, never a 5xx.', tags: ['workload'], params: NameParams, querystring: HealthQuery, ok: ref(WorkloadHealthSchema) }) },
    async (req) => {
      // A probe up to 1 s old is fine here: the answer comes from the health cache anyway.
      const view = await instances.get(req.params.name, { maxAgeMs: 1000 });
      const plugin = view.workload_plugin;
      if (!plugin) return NO_WORKLOAD_HEALTH;
      const probe = () => withWorkload(kernel, view, 'health', ({ driver, input }) => driver.health(input));
      return deps.health.read(view.name, plugin, { fresh: req.query.fresh === 'true' }, probe);
    },
  );
}
