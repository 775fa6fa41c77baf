import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kernel } from '../../../kernel/kernel.js';
import { replyOperation } from '../operation-reply.js';
import { jsonRoute, operationRoute } from '../route-schema.js';
import {
  CloneBody,
  CreateBody,
  DeleteSnapshotBody,
  DeleteSnapshotQuery,
  NameParams,
  NoBody,
  RevertBody,
  SnapshotBody,
  SnapshotParams,
  type CloneRequest,
  type CreateRequest,
  type DeleteSnapshotRequest,
  type RevertRequest,
  type SnapshotRequest,
} from '../schemas/requests.js';
import { InstanceSchema, StatusOkSchema, ref } from '../schemas/wire.js';
import type { InstanceView } from '../../../kernel/lifecycle/instances.js';
import { sortInstances, wireInstance } from '../wire-instance.js';

const TAGS = ['instances'];
const OK = { status: 'ok' } as const;
const INSTANCE = ref(InstanceSchema);
const STATUS_OK = ref(StatusOkSchema);

type Named = { Params: { name: string } };

/**
 * How old a list the list route may reuse (`Instances.list({ maxAgeMs })`). Clients poll the
 * list; probing 20 dockerds through /proc and re-reading the state file on every request
 * capped it at a few hundred requests per second on a loaded 2-core host. Every operation's
 * start and end invalidates it (only operations write the state), so only a change from
 * outside (a dockerd killed by hand) shows up to this late; a single instance
 * (`GET /instances/{name}`) is always read and probed fresh.
 */
const LIST_PROBE_MAX_AGE_MS = 1000;

/**
 * The answer body for each list the kernel reused (same array ⇒ same bytes): serialized once
 * by the route's response schema, newline included (the envelope's convention), as a Buffer —
 * re-serializing 20 instances and encoding the resulting rope on every request cost more than
 * everything else the route does.
 */
const listBodies = new WeakMap<readonly InstanceView[], Buffer>();

function listBody(views: readonly InstanceView[], reply: FastifyReply): Buffer {
  let body = listBodies.get(views);
  if (!body) listBodies.set(views, (body = Buffer.from(`${reply.serialize(sortInstances(views).map(wireInstance))}\n`)));
  return body;
}

/** `true`, `1` → true; anything else false (query strings carry text). */
function truthy(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

/**
 * The instance lifecycle routes of api-v1 §5 (list, get, create, delete, start, stop, snapshot,
 * revert, clone) plus ours: `POST …/restart` (one operation, nothing slips in between) and
 * `DELETE …/snapshots/{label}` (the typed client's `deleteSnapshot`). Each mutator validates
 * synchronously in the kernel (400 invalid input, 409 busy) before it answers or streams.
 */
export function instanceRoutes(app: FastifyInstance, kernel: Kernel): void {
  const instances = kernel.instances;

  app.get('/api/v1/instances', { schema: jsonRoute({ summary: 'List instances with their live status', tags: TAGS, ok: { type: 'array', items: INSTANCE } }) }, async (_req, reply) =>
    reply.type('application/json').send(listBody(await instances.list({ maxAgeMs: LIST_PROBE_MAX_AGE_MS }), reply)),
  );

  app.get<Named>('/api/v1/instances/:name', { schema: jsonRoute({ summary: 'One instance with its live status', tags: TAGS, params: NameParams, ok: INSTANCE }) }, async (req) =>
    wireInstance(await instances.get(req.params.name)),
  );

  app.post<{ Body: CreateRequest }>('/api/v1/instances', { schema: operationRoute({ summary: 'Create an instance', tags: TAGS, body: CreateBody, status: 201, ok: INSTANCE }) }, async (req, reply) => {
    const { name, workload_inline: wl } = req.body;
    const workload = wl?.plugin ? { workload: { plugin: wl.plugin, ...(wl.config ? { config: wl.config } : {}) } } : {};
    const op = instances.create({ name, ...workload });
    return replyOperation(req, reply, op, (rec) => ({ status: 201, body: wireInstance(rec) }));
  });

  app.delete<Named>('/api/v1/instances/:name', { schema: operationRoute({ summary: 'Delete an instance, its snapshots and runtime', tags: TAGS, params: NameParams, body: NoBody, status: 204 }) }, async (req, reply) =>
    replyOperation(req, reply, instances.delete(req.params.name), () => ({ status: 204 })),
  );

  for (const verb of ['start', 'stop', 'restart'] as const) {
    const summary = verb === 'restart' ? 'Stop (if running) and start an instance as one operation (ours)' : `${verb === 'start' ? 'Start' : 'Stop'} an instance's dockerd`;
    app.post<Named>(`/api/v1/instances/:name/${verb}`, { schema: operationRoute({ summary, tags: TAGS, params: NameParams, body: NoBody, status: 200, ok: STATUS_OK }) }, async (req, reply) =>
      replyOperation(req, reply, instances[verb](req.params.name), () => ({ status: 200, body: OK })),
    );
  }

  app.post<Named & { Body: SnapshotRequest }>(
    '/api/v1/instances/:name/snapshot',
    { schema: operationRoute({ summary: 'Snapshot an instance (stopped for the snapshot, restarted if it ran)', tags: TAGS, params: NameParams, body: SnapshotBody, status: 201, ok: STATUS_OK }) },
    async (req, reply) => {
      const { label, tags, owner } = req.body;
      const op = instances.snapshot(req.params.name, label, { ...(tags ? { tags } : {}), ...(owner ? { owner } : {}) });
      return replyOperation(req, reply, op, () => ({ status: 201, body: OK }));
    },
  );

  app.post<Named & { Body: RevertRequest }>(
    '/api/v1/instances/:name/revert',
    { schema: operationRoute({ summary: 'Revert an instance to a snapshot', description: 'Ours: reverting past newer snapshots needs `force` (409 otherwise); with it they are destroyed.', tags: TAGS, params: NameParams, body: RevertBody, status: 200, ok: STATUS_OK }) },
    async (req, reply) => {
      const { label, force } = req.body;
      return replyOperation(req, reply, instances.revert(req.params.name, label, { force: force === true }), () => ({ status: 200, body: OK }));
    },
  );

  app.post<Named & { Body: CloneRequest }>(
    '/api/v1/instances/:name/clone',
    { schema: operationRoute({ summary: 'Clone a snapshot into a new instance', tags: TAGS, params: NameParams, body: CloneBody, status: 201, ok: INSTANCE }) },
    async (req, reply) => {
      const op = instances.clone(req.params.name, req.body.label, req.body.new_name);
      return replyOperation(req, reply, op, (rec) => ({ status: 201, body: wireInstance(rec) }));
    },
  );

  app.delete<{ Params: { name: string; label: string }; Body: DeleteSnapshotRequest | null; Querystring: { owner?: string; force?: string } }>(
    '/api/v1/instances/:name/snapshots/:label',
    {
      schema: operationRoute({
        summary: 'Delete one snapshot (ours)',
        description: 'Refused (409) unless `owner` matches the owner recorded at snapshot time, or `force` is set. `owner` and `force` may come in the body or the query string.',
        tags: TAGS,
        params: SnapshotParams,
        querystring: DeleteSnapshotQuery,
        body: DeleteSnapshotBody,
        status: 204,
      }),
    },
    async (req, reply) => {
      const owner = req.body?.owner ?? req.query.owner;
      const force = req.body?.force === true || truthy(req.query.force);
      const op = instances.deleteSnapshot(req.params.name, req.params.label, { ...(owner ? { owner } : {}), force });
      return replyOperation(req, reply, op, () => ({ status: 204 }));
    },
  );
}
