import t from 'tap';
import type { ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { fakeDaemon } from '../helpers/fake-daemon.js';
import { createClient, defaultOwner, streamErrorCode, type ProgressEvent } from '../../plugin-sdk/client/index.js';

/**
 * The typed client's instance calls against a throwaway HTTP server that answers like the
 * original daemon (and like ours where they differ): paths, bodies, owners, streamed
 * operations and their failures, and the original's gaps (no restart route).
 */

const json = (res: ServerResponse, status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(value)}\n`);
const ndjson = (res: ServerResponse, events: object[]) => res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
const INSTANCE = { name: 'demo', dataset: 'dockersnap/instances/demo', subnet: '10.10.0.0/16', subnet_index: 0, metallb_ip: '10.10.10.10', socket: '/run/dockersnap/demo.sock', pid_file: '/run/dockersnap/demo.pid', created_at: '2026-04-30T10:00:00Z', status: 'running', snapshots: [] };

t.test('paths, bodies and owners of the plain calls', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.method === 'DELETE') return res.writeHead(204).end();
    if (req.url === '/api/v1/instances' && req.method === 'GET') return json(res, 200, null);
    if (req.url!.endsWith('/ports') || req.url!.endsWith('/refresh')) return json(res, 200, { instance: 'demo', target_ip: '', ports: null });
    if (req.url!.endsWith('/snapshot')) return json(res, 201, { status: 'ok' });
    if (req.method === 'POST' && (req.url === '/api/v1/instances' || req.url!.endsWith('/clone'))) return json(res, 201, INSTANCE);
    if (req.method === 'POST') return json(res, 200, { status: 'ok' });
    return json(res, 200, INSTANCE);
  });
  const c = createClient({ remote: d.url, env: {}, owner: 'suite-1' });
  t.equal(c.owner, 'suite-1');
  t.same(await c.list(), [], 'null is an empty list');
  t.same(await c.create({ name: 'demo', plugin: 'kind', config: { retries: 5 } }), INSTANCE);
  await c.create('plain');
  await c.snapshot('demo', 'golden', { tags: { v: '1' } });
  await c.snapshot('demo', 'bare');
  await c.revert('demo', 'golden', { force: true });
  await c.revert('demo', 'golden');
  await c.fromSnapshot('demo', 'golden', 'demo-dev');
  await c.deleteSnapshot('demo', 'golden');
  await c.deleteSnapshot('demo', 'a:b.c', { force: true });
  await c.start('demo');
  await c.stop('demo');
  await c.delete('demo');
  t.same(await c.ports('demo'), { instance: 'demo', target_ip: '', ports: [] }, 'null ports decode as []');
  t.same((await c.refreshPorts('demo')).ports, []);
  await c.workloadHealth('demo', { fresh: true });
  await c.workloadHealth('demo');
  const calls = d.seen.map((s) => `${s.method} ${s.url} ${s.body}`);
  t.same(calls, [
    'GET /api/v1/instances ',
    'POST /api/v1/instances {"name":"demo","workload_inline":{"plugin":"kind","config":{"retries":5}}}',
    'POST /api/v1/instances {"name":"plain"}',
    'POST /api/v1/instances/demo/snapshot {"label":"golden","tags":{"v":"1"},"owner":"suite-1"}',
    'POST /api/v1/instances/demo/snapshot {"label":"bare","owner":"suite-1"}',
    'POST /api/v1/instances/demo/revert {"label":"golden","force":true}',
    'POST /api/v1/instances/demo/revert {"label":"golden"}',
    'POST /api/v1/instances/demo/clone {"label":"golden","new_name":"demo-dev"}',
    'DELETE /api/v1/instances/demo/snapshots/golden {"owner":"suite-1"}',
    'DELETE /api/v1/instances/demo/snapshots/a%3Ab.c {"owner":"suite-1","force":true}',
    'POST /api/v1/instances/demo/start ',
    'POST /api/v1/instances/demo/stop ',
    'DELETE /api/v1/instances/demo ',
    'GET /api/v1/instances/demo/ports ',
    'POST /api/v1/instances/demo/ports/refresh ',
    'GET /api/v1/instances/demo/workload/health?fresh=true ',
    'GET /api/v1/instances/demo/workload/health ',
  ]);
  const del = d.seen.find((s) => s.method === 'DELETE' && s.body !== '')!;
  t.equal(del.headers['content-length'], String(Buffer.byteLength(del.body)), 'a DELETE body is framed');
  t.equal(d.seen[0]!.headers.accept, 'application/json');

  t.equal(defaultOwner(), `dockersnap-client:${hostname()}:${process.pid}`);
  t.equal(createClient({ env: {} }).owner, defaultOwner(), 'the default owner');
  const anon = createClient({ remote: d.url, env: {}, owner: '' });
  await anon.snapshot('demo', 'x');
  t.equal(d.seen.at(-1)!.body, '{"label":"x"}', 'no owner recorded with owner ""');
});

t.test('progress variants: events as they come, the result after the stream', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.method === 'GET') return json(res, 200, { ...INSTANCE, name: req.url!.split('/').pop() });
    if (req.url === '/api/v1/instances') return res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end();
    if (req.url!.endsWith('/snapshot')) return ndjson(res, [{ step: 'zfs_snapshot', status: 'running', message: 'Creating "golden"...' }, { step: 'zfs_snapshot', status: 'error', message: 'boom' }, { step: 'error', status: 'error', message: 'snapshot "golden" already exists for instance "demo"' }]);
    if (req.url!.endsWith('/revert')) return json(res, 400, { error: 'label is required' });
    if (req.url!.endsWith('/stop')) return ndjson(res, [{ step: 'error', status: 'error', message: 'gone', code: 'DS_ERR_NOT_FOUND' }]);
    if (req.url!.endsWith('/clone')) return json(res, 201, INSTANCE);
    return ndjson(res, [{ step: 'complete', status: 'done', message: 'ok' }]);
  });
  const c = createClient({ remote: d.url, env: {} });
  const create = c.progress.create('fresh');
  const seen: ProgressEvent[] = [];
  for await (const e of create) seen.push(e);
  t.same(seen, [], 'a plain create streams nothing (api-v1 §4.5)');
  t.equal((await create.result).name, 'fresh', 'the instance is fetched after the stream');

  const snap = c.progress.snapshot('demo', 'golden');
  const events: ProgressEvent[] = [];
  for await (const e of snap) events.push(e);
  t.equal(events.length, 3);
  await t.rejects(snap.result, { code: 'DS_ERR_EXISTS', message: 'snapshot "golden" already exists for instance "demo"' }, 'the original: code from its text');
  await t.rejects(c.progress.stop('demo').result, { code: 'DS_ERR_NOT_FOUND', message: 'gone' }, 'ours: the code on the last event');

  const revert = c.progress.revert('demo', 'x');
  const revertEvents: ProgressEvent[] = [];
  for await (const e of revert) revertEvents.push(e);
  t.same(revertEvents, [{ step: 'error', status: 'error', message: 'API error (400): label is required', code: 'DS_ERR_INVALID_INPUT' }], 'a 4xx before the stream is the error event too');
  await t.rejects(revert.result, { code: 'DS_ERR_INVALID_INPUT' });

  const clone = c.progress.clone('demo', 'golden', 'copy');
  t.equal((await clone.result).name, 'copy', 'a non-streamed answer counts as success; the clone is fetched');
  const iterTwice = c.progress.start('demo');
  await iterTwice.result;
  const a: ProgressEvent[] = [];
  const b: ProgressEvent[] = [];
  for await (const e of iterTwice) a.push(e);
  for await (const e of iterTwice) b.push(e);
  t.same(a, b, 'every iterator sees every event, even after the end');
  t.same(a, [{ step: 'complete', status: 'done', message: 'ok' }]);
});

t.test('restart: one call on our daemon; stop (errors ignored) then start on the original', async (t) => {
  const ours = await fakeDaemon(t, (_req, res) => json(res, 200, { status: 'ok' }));
  await createClient({ remote: ours.url, env: {} }).restart('demo');
  t.same(ours.seen.map((s) => s.url), ['/api/v1/instances/demo/restart']);

  const original = await fakeDaemon(t, (req, res) => {
    if (req.url!.endsWith('/restart')) return res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    if (req.url!.endsWith('/stop')) return json(res, 500, { error: 'instance "demo" is not running' });
    if (req.headers.accept === 'application/x-ndjson') return ndjson(res, [{ step: 'starting_dockerd', status: 'running', message: 'Starting dockerd...' }, { step: 'complete', status: 'done', message: 'started' }]);
    return json(res, 200, { status: 'ok' });
  });
  const c = createClient({ remote: original.url, env: {} });
  await c.restart('demo');
  t.same(original.seen.map((s) => s.url.split('/').pop()), ['restart', 'stop', 'start']);
  const op = c.progress.restart('demo');
  const events: ProgressEvent[] = [];
  for await (const e of op) events.push(e);
  await op.result;
  t.same(events.map((e) => e.step), ['starting_dockerd', 'complete'], 'the failed stop is not reported');

  const missing = await fakeDaemon(t, (_req, res) => json(res, 404, { error: 'instance not found: "demo"' }));
  await t.rejects(createClient({ remote: missing.url, env: {} }).restart('demo'), { code: 'DS_ERR_NOT_FOUND', message: 'API error (404): instance not found: "demo"' }, 'an unknown instance is not a missing route');
});

t.test('codes of the original daemon’s in-band failures', async (t) => {
  t.equal(streamErrorCode({ message: 'instance not found: "x"' }), 'DS_ERR_NOT_FOUND');
  t.equal(streamErrorCode({ message: 'source instance "x" not found' }), 'DS_ERR_NOT_FOUND');
  t.equal(streamErrorCode({ message: 'instance "x" already exists' }), 'DS_ERR_EXISTS');
  t.equal(streamErrorCode({ message: 'instance "x" is already running' }), 'DS_ERR_CONFLICT');
  t.equal(streamErrorCode({ message: 'zfs rollback failed' }), 'DS_ERR_INTERNAL');
  t.equal(streamErrorCode({ message: 'anything', code: 'DS_ERR_BUSY' }), 'DS_ERR_BUSY');
  t.equal(streamErrorCode({ message: 'instance not found', code: 'NOT_OURS' }), 'DS_ERR_NOT_FOUND', 'an unknown code is ignored');
});
