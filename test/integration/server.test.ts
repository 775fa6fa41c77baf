import t, { type Test } from 'tap';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createServer, startServer } from '../../bin/server/server.js';
import { createLogger, silentLogger } from '../../kernel/logger.js';
import { definePlugin, type AnyPluginDefinition } from '../../plugin-sdk/index.js';
import { startTestKernel, type TestKernel } from '../../plugin-sdk/testing/index.js';
import type { Logger } from '../../plugin-sdk/logger.js';
import { expectation, installFixtures } from '../helpers/fixtures.js';

const TOKEN = 's3cr3t';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Served {
  app: FastifyInstance;
  tk: TestKernel;
  pluginDir: string;
}

async function serve(t: Test, options: { plugins?: AnyPluginDefinition[]; fixtures?: string[]; settings?: Record<string, unknown>; log?: Logger } = {}): Promise<Served> {
  const pluginDir = t.testdir();
  installFixtures(pluginDir, options.fixtures ?? []);
  const tk = await startTestKernel({ pluginDir, plugins: options.plugins ?? [], settings: options.settings ?? {} });
  const app = createServer({ kernel: tk.kernel, settings: tk.settings, log: options.log ?? silentLogger() });
  t.teardown(async () => {
    await app.close();
    await tk.close();
  });
  await app.ready();
  return { app, tk, pluginDir };
}

/** The one error shape: `{error, code, details?}`, JSON with a trailing newline. */
function assertEnvelope(t: Test, res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  t.equal(res.statusCode, status, `status ${status}`);
  t.equal(res.headers['content-type'], 'application/json', 'content type exactly application/json');
  t.ok(res.body.endsWith('}\n'), 'one JSON value and a newline');
  const body = res.json() as Record<string, unknown>;
  t.equal(body['code'], code);
  t.type(body['error'], 'string');
  t.same(Object.keys(body).filter((k) => !['error', 'code', 'details'].includes(k)), [], 'no other fields');
  return body;
}

const routed = definePlugin({
  id: 'routed',
  version: '1.0.0',
  description: 'contributes routes for the tests',
  routes(app) {
    app.get('/hi', async (req) => ({ query: req.query }));
    app.post('/echo', async (req) => ({ body: req.body ?? null }));
    app.get('/boom', async () => {
      throw new Error('kaboom');
    });
    app.get('/gone', async (_req, reply) => reply.code(404).send({ error: 'nothing here' }));
  },
  setup() {},
});

t.test('health is public and has the original DaemonHealth shape', async (t) => {
  const { app } = await serve(t, { settings: { api: { token: TOKEN } } });
  const res = await app.inject({ url: '/api/v1/health' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/json');
  t.ok(res.body.endsWith('}\n'));
  const h = res.json();
  t.match(h, { status: 'ok', version: /^v\d+\.\d+\.\d+\+dev$/, uptime: /^(\d+h)?(\d+m)?\d+s$/, started_at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, instances: 0, running: 0, running_healthy: 0, running_unhealthy: 0 });
  t.equal((await app.inject({ method: 'HEAD', url: '/api/v1/health' })).statusCode, 200, 'HEAD is public too');
});

t.test('bearer token: required, refused, accepted', async (t) => {
  const { app } = await serve(t, { settings: { api: { token: TOKEN } } });
  const refused = [undefined, 'Bearer nope', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN}`, TOKEN, `Basic ${TOKEN}`];
  const bodies = new Set<string>();
  for (const header of refused) {
    const res = await app.inject({ url: '/api/v1/plugins', headers: header === undefined ? {} : { authorization: header } });
    const body = assertEnvelope(t, res, 401, 'DS_ERR_UNAUTHORIZED');
    t.equal(res.headers['www-authenticate'], 'Bearer');
    t.match(body['error'], /^unauthorized: /);
    bodies.add(String(body['error']).replace('missing', 'invalid'));
  }
  t.equal(bodies.size, 1, 'the same answer whatever was wrong');
  t.equal((await app.inject({ url: '/api/v1/plugins', headers: AUTH })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/plugins/reload' })).statusCode, 401, 'admin routes are guarded');
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/health' })).statusCode, 401, 'only GET health is public');
  assertEnvelope(t, await app.inject({ url: '/api/v1/nosuch' }), 401, 'DS_ERR_UNAUTHORIZED');
  assertEnvelope(t, await app.inject({ url: '/api/v1/ext/routed/hi' }), 401, 'DS_ERR_UNAUTHORIZED');
  assertEnvelope(t, await app.inject({ url: '/nosuch' }), 404, 'DS_ERR_NOT_FOUND');
});

t.test('without a token nothing is checked', async (t) => {
  const { app } = await serve(t);
  t.equal((await app.inject({ url: '/api/v1/plugins' })).statusCode, 200);
  t.equal((await app.inject({ url: '/api/v1/plugins', headers: { authorization: 'Bearer whatever' } })).statusCode, 200);
});

t.test('one envelope for 404, 400, 413 and 500; client errors are never 500', async (t) => {
  const { app } = await serve(t, { plugins: [routed], settings: { api: { token: TOKEN, body_limit: 64 } } });
  assertEnvelope(t, await app.inject({ url: '/api/v1/nosuch', headers: AUTH }), 404, 'DS_ERR_NOT_FOUND');
  assertEnvelope(t, await app.inject({ method: 'DELETE', url: '/api/v1/plugins', headers: AUTH }), 404, 'DS_ERR_NOT_FOUND');
  const bad = assertEnvelope(t, await app.inject({ method: 'POST', url: '/api/v1/ext/routed/echo', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"a":' }), 400, 'DS_ERR_INVALID_INPUT');
  t.match(bad['error'], /^invalid request body: /);
  const big = assertEnvelope(t, await app.inject({ method: 'POST', url: '/api/v1/ext/routed/echo', headers: AUTH, payload: JSON.stringify({ a: 'x'.repeat(100) }) }), 413, 'DS_ERR_PAYLOAD_TOO_LARGE');
  t.match(big['error'], /64 bytes/);
  assertEnvelope(t, await app.inject({ method: 'POST', url: '/api/v1/plugins/reload', headers: { ...AUTH, 'content-type': 'application/json' }, payload: 'x'.repeat(100) }), 413, 'DS_ERR_PAYLOAD_TOO_LARGE');
  const boom = assertEnvelope(t, await app.inject({ url: '/api/v1/ext/routed/boom', headers: AUTH }), 500, 'DS_ERR_INTERNAL');
  t.match(boom['error'], /kaboom/);
  assertEnvelope(t, await app.inject({ url: '/api/v1/ext/routed/nosuch', headers: AUTH }), 404, 'DS_ERR_NOT_FOUND');
  assertEnvelope(t, await app.inject({ url: '/api/v1/ext/nobody/x', headers: AUTH }), 404, 'DS_ERR_NOT_FOUND');
});

t.test('request bodies: any content type, first JSON value, empty allowed', async (t) => {
  const { app } = await serve(t, { plugins: [routed] });
  const echo = (payload: string, type?: string) => app.inject({ method: 'POST', url: '/api/v1/ext/routed/echo', headers: type ? { 'content-type': type } : {}, payload });
  t.same((await echo('{"a":1} trailing bytes', 'text/plain')).json(), { body: { a: 1 } });
  t.same((await echo('{"a":2}')).json(), { body: { a: 2 } });
  t.same((await echo('', 'application/json')).json(), { body: null });
  t.same((await echo('{"__proto__":{"x":1},"b":1}', 'application/json')).json(), { body: { b: 1 } }, '__proto__ keys are dropped');
  const hi = await app.inject({ url: '/api/v1/ext/routed/hi?name=bob' });
  t.equal(hi.headers['content-type'], 'application/json');
  t.equal(hi.body, '{"query":{"name":"bob"}}\n');
  const gone = await app.inject({ url: '/api/v1/ext/routed/gone' });
  t.equal(gone.statusCode, 404, "a plugin's own status passes through");
  t.same(gone.json(), { error: 'nothing here' });
});

t.test('plugin list and describe, with the fixture outcomes', async (t) => {
  const { app } = await serve(t, { fixtures: ['good', 'broken', 'skip'], plugins: [routed] });
  const list = (await app.inject({ url: '/api/v1/plugins' })).json() as Array<Record<string, unknown>>;
  t.same(list.map((p) => p.name), ['broken', 'good', 'routed', 'skip'], 'sorted by name');
  const by = new Map(list.map((p) => [p.name, p]));
  t.match(by.get('good'), { status: 'ready', state: 'ok', version: '1.0.0', description: 'Sets up fine and taps nothing', kind: 'kernel', source: 'dir', provides: [], requires: [], hooks: [], commands: [] });
  t.notOk('error' in by.get('good')!, 'no error on a ready plugin');
  t.match(by.get('broken'), { status: 'disabled', state: 'error', code: expectation('broken').code, error: expectation('broken').reason });
  t.match(by.get('skip'), { status: 'disabled', state: 'skip', error: String });
  t.match(by.get('routed'), { status: 'ready', source: 'inline' });

  const good = await app.inject({ url: '/api/v1/plugins/good' });
  t.equal(good.statusCode, 200);
  t.same(good.json(), by.get('good'));
  const unknown = assertEnvelope(t, await app.inject({ url: '/api/v1/plugins/nosuch' }), 404, 'DS_ERR_PLUGIN_NOT_FOUND');
  t.equal(unknown['error'], 'plugin "nosuch" not found');
  const broken = assertEnvelope(t, await app.inject({ url: '/api/v1/plugins/broken' }), 404, 'DS_ERR_PLUGIN_NOT_FOUND');
  t.equal(broken['error'], `plugin "broken" is disabled: ${expectation('broken').reason}`);
});

t.test('reload mounts, replaces and removes plugin routes (multi-file plugin, no stale module)', async (t) => {
  const { app, pluginDir } = await serve(t);
  const hello = () => app.inject({ url: '/api/v1/ext/command/hello?name=bob' });
  assertEnvelope(t, await hello(), 404, 'DS_ERR_NOT_FOUND');

  installFixtures(pluginDir, ['command']);
  const reloaded = await app.inject({ method: 'POST', url: '/api/v1/plugins/reload' });
  t.equal(reloaded.statusCode, 200);
  t.match(reloaded.json(), [{ name: 'command', status: 'ready', state: 'ok', commands: ['hello'] }]);
  t.same((await hello()).json(), { greeting: 'hello bob', generation: 'v1' });

  writeFileSync(join(pluginDir, 'command', 'lib', 'greeting.js'), "export const GREETING = 'howdy';\nexport const GENERATION = 'v2';\n");
  await app.inject({ method: 'POST', url: '/api/v1/plugins/reload' });
  t.same((await hello()).json(), { greeting: 'howdy bob', generation: 'v2' }, 'the edited submodule is loaded');

  rmSync(join(pluginDir, 'command'), { recursive: true });
  const after = await app.inject({ method: 'POST', url: '/api/v1/plugins/reload' });
  t.same(after.json(), []);
  assertEnvelope(t, await hello(), 404, 'DS_ERR_NOT_FOUND');
});

t.test('a reload that loses a required plugin is refused and keeps the old set', async (t) => {
  const { app, pluginDir } = await serve(t, { fixtures: ['good', 'command'], settings: { plugins: { required: ['good'] } } });
  rmSync(join(pluginDir, 'good'), { recursive: true });
  const res = assertEnvelope(t, await app.inject({ method: 'POST', url: '/api/v1/plugins/reload' }), 500, 'DS_ERR_PLUGIN_REQUIRED');
  t.match(res, { error: /"good" is not installed/, details: { plugins: ['good'] } });
  t.same(((await app.inject({ url: '/api/v1/plugins' })).json() as Array<{ name: string }>).map((p) => p.name), ['command', 'good']);
  t.equal((await app.inject({ url: '/api/v1/ext/command/hello' })).statusCode, 200, 'routes of the old set still answer');
});

t.test('one log line per request', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const { app } = await serve(t, { plugins: [routed], log: createLogger({ level: 'info', destination }) });
  await app.inject({ url: '/api/v1/health' });
  await app.inject({ url: '/nosuch' });
  await app.inject({ url: '/api/v1/ext/routed/hi' });
  const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
  t.match(requests, [
    { method: 'GET', url: '/api/v1/health', status: 200, ms: Number },
    { method: 'GET', url: '/nosuch', status: 404 },
    { method: 'GET', url: '/api/v1/ext/routed/hi', status: 200 },
  ]);
  t.equal(requests.length, 3, 'no extra lines (incoming/completed pairs, inner instances)');
});

t.test('startServer listens on api.listen and closes', async (t) => {
  const tk = await startTestKernel({ settings: { api: { listen: '127.0.0.1:0' } } });
  t.teardown(() => tk.close());
  const server = await startServer({ kernel: tk.kernel, settings: tk.settings, log: silentLogger() });
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${server.url}/api/v1/health`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'application/json');
  await server.close();
  await server.close();
  await t.rejects(fetch(`${server.url}/api/v1/health`), 'closed');
});
