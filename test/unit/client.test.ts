import { fakeDaemon } from '../helpers/fake-daemon.js';
import t from 'tap';
import type { ServerResponse } from 'node:http';
import { createClient, DEFAULT_REMOTE, streamFailure, type ProgressEvent } from '../../plugin-sdk/client/index.js';
import { closedPort } from '../helpers/daemon.js';


function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(value)}\n`);
}

t.test('remote, token and their env defaults', async (t) => {
  t.equal(createClient({ env: {} }).remote, DEFAULT_REMOTE);
  t.equal(createClient({ env: { DOCKERSNAP_REMOTE: 'http://vm:9847/' } }).remote, 'http://vm:9847', 'trailing slash dropped');
  t.equal(createClient({ remote: 'http://a:1', env: { DOCKERSNAP_REMOTE: 'http://b:2' } }).remote, 'http://a:1', 'the option wins');
  t.throws(() => createClient({ remote: 'vm:9847', env: {} }), { code: 'DS_ERR_INVALID_INPUT' });
  t.throws(() => createClient({ remote: 'ftp://vm', env: {} }), { code: 'DS_ERR_INVALID_INPUT' });

  const d = await fakeDaemon(t, (_req, res) => json(res, 200, []));
  await createClient({ remote: d.url, env: {} }).plugins();
  await createClient({ remote: d.url, env: { DOCKERSNAP_TOKEN: 'envtok' } }).plugins();
  await createClient({ remote: d.url, token: '', env: { DOCKERSNAP_TOKEN: 'envtok' } }).plugins();
  t.same(d.seen.map((s) => s.headers.authorization), [undefined, 'Bearer envtok', undefined], 'the header only for a non-empty token');
});

t.test("errors from the original daemon keep the Go client's message format", async (t) => {
  const replies: Record<string, (res: ServerResponse) => void> = {
    '/api/v1/plugins/a': (res) => json(res, 404, { error: 'plugin "a" not found' }),
    '/api/v1/plugins/b': (res) => res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('unauthorized\n'),
    '/api/v1/plugins/c': (res) => res.writeHead(500).end(),
    '/api/v1/plugins/d': (res) => json(res, 500, { error: 'instance "x" already exists' }),
    '/api/v1/plugins/e': (res) => res.writeHead(502).end('x'.repeat(300)),
    '/api/v1/plugins/f': (res) => json(res, 409, { error: 'instance "x" is busy', code: 'DS_ERR_BUSY', details: { op: 'snapshot' } }),
    '/api/v1/plugins/g': (res) => json(res, 400, { error: 'label is required' }),
  };
  const d = await fakeDaemon(t, (req, res) => replies[req.url!]!(res));
  const c = createClient({ remote: d.url, env: {} });
  await t.rejects(c.plugin('a'), { code: 'DS_ERR_NOT_FOUND', message: 'API error (404): plugin "a" not found' });
  await t.rejects(c.plugin('b'), { code: 'DS_ERR_UNAUTHORIZED', message: 'API error (HTTP 401): unauthorized' });
  await t.rejects(c.plugin('c'), { code: 'DS_ERR_INTERNAL', message: 'API error: HTTP 500' });
  await t.rejects(c.plugin('d'), { code: 'DS_ERR_INTERNAL', message: 'API error (500): instance "x" already exists' });
  await t.rejects(c.plugin('e'), { code: 'DS_ERR_INTERNAL', message: `API error (HTTP 502): ${'x'.repeat(200)}...` });
  await t.rejects(c.plugin('f'), { code: 'DS_ERR_BUSY', message: 'instance "x" is busy', details: { op: 'snapshot' } }, 'our envelope keeps its code');
  await t.rejects(c.plugin('g'), { code: 'DS_ERR_INVALID_INPUT' });
});

t.test('no daemon, or a silent one', async (t) => {
  const port = await closedPort();
  const down = createClient({ remote: `http://127.0.0.1:${port}`, env: {} });
  await t.rejects(down.health(), { code: 'DS_ERR_DAEMON_UNREACHABLE', message: /ECONNREFUSED.*dockersnap serve.*DOCKERSNAP_REMOTE/ });
  const d = await fakeDaemon(t, () => undefined);
  await t.rejects(createClient({ remote: d.url, env: {} }).health({ timeoutMs: 100 }), { code: 'DS_ERR_TIMEOUT', message: /did not answer within 100 ms/ });
});

t.test('request bodies, empty answers, ext routes', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.url === '/api/v1/plugins') return json(res, 200, null);
    if (req.method === 'DELETE') return res.writeHead(204).end();
    if (req.url!.endsWith('/text')) return res.writeHead(200, { 'content-type': 'text/plain' }).end('plain');
    return json(res, 200, { ok: true });
  });
  const c = createClient({ remote: d.url, env: {} });
  t.same(await c.plugins(), [], 'null decodes as an empty list');
  t.same(await c.ext('command').post('/greet', { name: 'bob' }), { ok: true });
  t.equal(await c.ext('command').delete('x'), undefined);
  t.equal(await c.ext('command').get('/text'), 'plain');
  const post = d.seen.find((s) => s.method === 'POST')!;
  t.equal(post.url, '/api/v1/ext/command/greet');
  t.equal(post.headers['content-type'], 'application/json');
  t.same(JSON.parse(post.body), { name: 'bob' });
  t.equal(d.seen.find((s) => s.method === 'DELETE')!.url, '/api/v1/ext/command/x');
});

t.test('NDJSON streams: events as they come, junk skipped, plain answers tolerated', async (t) => {
  const d = await fakeDaemon(t, (req, res) => {
    if (req.url === '/plain') return json(res, 200, { status: 'ok' });
    if (req.url === '/refused') return json(res, 400, { error: 'label is required' });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"step":"zfs_snapshot","status":"running","message":"Creating \\"golden\\"..."}\n\nnot json\n{"step":"zfs_sn');
    setTimeout(() => res.end('apshot","status":"error","message":"boom"}\n[1,2]\n{"step":"error","status":"error","message":"final"}'), 20);
  });
  const c = createClient({ remote: d.url, env: {} });
  const events: ProgressEvent[] = [];
  for await (const e of c.stream({ method: 'POST', path: '/stream', body: { label: 'golden' } })) events.push(e);
  t.same(events, [
    { step: 'zfs_snapshot', status: 'running', message: 'Creating "golden"...' },
    { step: 'zfs_snapshot', status: 'error', message: 'boom' },
    { step: 'error', status: 'error', message: 'final' },
  ]);
  t.equal(streamFailure(events), 'final', 'the last error event decides');
  t.equal(streamFailure(events.slice(0, 1)), undefined);
  t.equal(d.seen[0]!.headers.accept, 'application/x-ndjson');
  const plain: ProgressEvent[] = [];
  for await (const e of c.stream({ method: 'POST', path: '/plain' })) plain.push(e);
  t.same(plain, [], 'a non-streaming success yields nothing');
  await t.rejects(
    (async () => {
      for await (const _ of c.stream({ method: 'POST', path: '/refused' })) void _;
    })(),
    { code: 'DS_ERR_INVALID_INPUT', message: 'API error (400): label is required' },
  );
});
