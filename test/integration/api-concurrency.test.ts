import t, { type Test } from 'tap';
import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { createServer } from '../../bin/server/server.js';
import { ERROR_CODES, isErrorCode } from '../../kernel/errors.js';
import { silentLogger } from '../../kernel/logger.js';
import { decodeState, dockerdCapability, netnsCapability, portProxyCapability, stateCapability, storageCapability } from '../../plugin-sdk/index.js';
import { FakeDockerd, FakeNetns, FakePortProxy, FakeStorage, MemoryStateStore, startTestKernel, type TestKernel } from '../../plugin-sdk/testing/index.js';

/**
 * The API over real HTTP on 127.0.0.1: many concurrent mixed requests (no 5xx, a valid state
 * afterwards), a streaming client that disconnects (the operation still completes), and a
 * shutdown that waits for in-flight operations.
 */

/** A dockerd whose start and stop take a few ms (so operations overlap) and can be held. */
class SlowDockerd extends FakeDockerd {
  gate: Promise<void> | undefined;
  override async start(spec: Parameters<FakeDockerd['start']>[0]) {
    await this.gate;
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 8));
    return super.start(spec);
  }
  override async stop(instance: string, options?: Parameters<FakeDockerd['stop']>[1]) {
    await new Promise((r) => setTimeout(r, 1 + Math.random() * 8));
    return super.stop(instance, options);
  }
}

interface Served {
  tk: TestKernel;
  app: FastifyInstance;
  url: string;
  state: MemoryStateStore;
  dockerd: SlowDockerd;
}

async function serve(t: Test): Promise<Served> {
  const state = new MemoryStateStore();
  const dockerd = new SlowDockerd();
  const tk = await startTestKernel({ fakes: [[stateCapability, state], [storageCapability, new FakeStorage(256 * 1024 * 1024)], [netnsCapability, new FakeNetns()], [dockerdCapability, dockerd], [portProxyCapability, new FakePortProxy()]] });
  const app = createServer({ kernel: tk.kernel, settings: tk.settings, log: silentLogger() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await tk.close();
  });
  return { tk, app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, state, dockerd };
}

async function call(base: string, method: string, path: string, body?: unknown, stream = false): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(stream ? { accept: 'application/x-ndjson' } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** Waits until no instance is busy (every operation finished). */
async function settled(base: string): Promise<Array<{ name: string; status: string }>> {
  for (;;) {
    const list = JSON.parse((await call(base, 'GET', '/api/v1/instances')).text) as Array<{ name: string; status: string }>;
    if (!list.some((i) => i.status === 'busy')) return list;
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('200 concurrent mixed requests over 8 instances: no 5xx, a valid state afterwards', async (t) => {
  const s = await serve(t);
  const names = Array.from({ length: 8 }, (_, i) => `conc-${i}`);
  for (const name of names) {
    t.equal((await call(s.url, 'POST', '/api/v1/instances', { name })).status, 201);
    t.equal((await call(s.url, 'POST', `/api/v1/instances/${name}/snapshot`, { label: 'base' })).status, 201);
  }
  let n = 0;
  const mix: Array<(name: string, stream: boolean) => Promise<{ status: number; text: string; type: string }>> = [
    () => call(s.url, 'GET', '/api/v1/instances'),
    (name) => call(s.url, 'GET', `/api/v1/instances/${name}`),
    (name) => call(s.url, 'GET', `/api/v1/instances/${name}/ports`),
    (name) => call(s.url, 'POST', `/api/v1/instances/${name}/ports/refresh`),
    (name) => call(s.url, 'GET', `/api/v1/instances/${name}/access`),
    (name) => call(s.url, 'GET', `/api/v1/instances/${name}/workload/health`),
    () => call(s.url, 'GET', '/api/v1/health'),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/start`, undefined, stream),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/stop`, undefined, stream),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/restart`, undefined, stream),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/snapshot`, { label: `s${++n}` }, stream),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/revert`, { label: 'base', force: true }, stream),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/clone`, { label: 'base', new_name: `copy-${++n}` }, stream),
    (name, stream) => call(s.url, 'POST', `/api/v1/instances/${name}/snapshot`, { label: 'base' }, stream),
  ];
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => mix[i % mix.length]!(names[(i * 7) % names.length]!, i % 3 === 0)));
  const statuses = new Map<number, number>();
  for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.same(results.filter((r) => r.status >= 500), [], 'no 5xx');
  t.ok(results.some((r) => r.status === 409), 'busy instances were refused with 409');
  const streamed = results.filter((r) => r.type === 'application/x-ndjson');
  t.ok(streamed.length > 0, 'some were streamed');
  for (const r of streamed) {
    const last = JSON.parse(r.text.trim().split('\n').at(-1) ?? '{}') as { step?: string; code?: string };
    if (last.step === 'error') t.ok(isErrorCode(last.code) && ERROR_CODES[last.code].http < 500, `an in-band failure is a client-class error (${last.code})`);
  }

  const list = await settled(s.url);
  const doc = decodeState(await s.state.view((d) => structuredClone(d)));
  t.same(Object.keys(doc.instances).sort(), list.map((i) => i.name).sort(), 'the API and the state agree');
  for (const rec of Object.values(doc.instances)) {
    t.notOk(rec.operation, `${rec.name}: no operation marker left`);
    t.not(rec.status, 'error', `${rec.name}: not in error`);
    const labels = rec.snapshots.map((x) => x.label);
    t.equal(new Set(labels).size, labels.length, `${rec.name}: snapshot labels unique`);
    t.equal(await s.dockerd.isRunning(rec.name), list.find((i) => i.name === rec.name)!.status === 'running', `${rec.name}: live status is dockerd's`);
  }
  const subnets = Object.values(doc.instances).map((r) => r.subnet);
  t.equal(new Set(subnets).size, subnets.length, 'every subnet unique');
});

t.test('a streaming client that disconnects does not cancel its operation', async (t) => {
  const s = await serve(t);
  let release!: () => void;
  s.dockerd.gate = new Promise((r) => (release = r));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const req = request(`${s.url}/api/v1/instances`, { method: 'POST', headers: { accept: 'application/x-ndjson', 'content-type': 'application/json' } }, (res) => {
      res.once('data', (chunk: Buffer) => {
        resolve(chunk.toString());
        req.destroy();
      });
    });
    req.on('error', () => undefined);
    req.end(JSON.stringify({ name: 'leaver' }));
    setTimeout(() => reject(new Error('no progress event')), 5000);
  });
  t.match(JSON.parse(firstLine.split('\n')[0]!), { step: 'starting_dockerd', status: 'running' });
  t.equal(JSON.parse((await call(s.url, 'GET', '/api/v1/instances/leaver')).text).status, 'busy', 'still running after the client left');
  s.dockerd.gate = undefined;
  release();
  const list = await settled(s.url);
  t.match(list, [{ name: 'leaver', status: 'running' }], 'the create finished');
});

t.test('shutdown waits for in-flight operations; the instances keep running', async (t) => {
  const s = await serve(t);
  t.equal((await call(s.url, 'POST', '/api/v1/instances', { name: 'inflight' })).status, 201);
  t.equal((await call(s.url, 'POST', '/api/v1/instances/inflight/stop')).status, 200);
  let release!: () => void;
  s.dockerd.gate = new Promise((r) => (release = r));
  const pending = call(s.url, 'POST', '/api/v1/instances/inflight/start');
  // Wait for the condition (the start holds the instance), not for a fixed time.
  const until = Date.now() + 10_000;
  while ((await s.tk.kernel.instances.get('inflight')).status !== 'busy') {
    if (Date.now() > until) throw new Error('the start never became in-flight');
    await new Promise((r) => setTimeout(r, 5));
  }
  const closing = Promise.all([s.app.close(), s.tk.kernel.close()]);
  let closed = false;
  void closing.then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 100)); // a window in which close must NOT finish
  t.notOk(closed, 'close waits for the operation');
  s.dockerd.gate = undefined;
  release();
  t.equal((await pending).status, 200, 'the in-flight request got its answer');
  const answered = Date.now();
  await closing;
  t.ok(Date.now() - answered < 5000, 'its kept-alive connection does not hold the shutdown (72 s keep-alive timeout)');
  t.ok(await s.dockerd.isRunning('inflight'), 'the instance is still running');
  t.equal(decodeState(await s.state.view((d) => structuredClone(d))).instances['inflight']!.status, 'running');
});
