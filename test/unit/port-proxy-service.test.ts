// The port-proxy service and its TCP forwards without root or dockerd: a fake Docker API on
// a unix socket (containers, inspect, a live /events stream that can go down and come back)
// and plain 127.0.0.1 servers as the "published" ports. The proxy listens on 127.0.0.2, so
// it can take the very port numbers the targets use.
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PortProxyService, type PortProxyOptions } from '../../builtin-plugins/port-proxy/port-proxy-service.js';
import { TcpForward } from '../../builtin-plugins/port-proxy/tcp-forward.js';
import { MemoryStateStore, sampleInstance } from '../../plugin-sdk/testing/index.js';
import type { DockerdSupervisor, Logger, NetnsManager, StateDocument } from '../../plugin-sdk/index.js';
import { createExec } from '../../kernel/exec.js';
import { silentLogger } from '../../kernel/logger.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { hostSkip, waitFor } from '../helpers/host.js';

const BIND = '127.0.0.2';
type Ports = Record<string, Array<{ HostIp: string; HostPort: string }>>;

/** A Docker API with just what a scan and the event stream use. */
class FakeDockerApi {
  readonly containers = new Map<string, Ports>();
  readonly requests: string[] = [];
  private readonly streams = new Set<ServerResponse>();
  private server: HttpServer | undefined;

  constructor(readonly socketPath: string) {}

  get eventStreams(): number {
    return this.streams.size;
  }

  listCalls(): number {
    return this.requests.filter((r) => r === '/containers/json').length;
  }

  async up(): Promise<void> {
    const server = createHttpServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://docker').pathname;
      this.requests.push(path);
      const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (path === '/containers/json') return json(200, [...this.containers.keys()].map((Id) => ({ Id, Names: [`/${Id.slice(0, 6)}`] })));
      const inspect = /^\/containers\/([^/]+)\/json$/.exec(path);
      if (inspect) {
        const ports = this.containers.get(inspect[1]!);
        return ports ? json(200, { Id: inspect[1], NetworkSettings: { Ports: ports } }) : json(404, { message: 'No such container' });
      }
      if (path === '/events') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        this.streams.add(res);
        res.once('close', () => this.streams.delete(res));
        return;
      }
      json(404, { message: 'not here' });
    });
    await new Promise<void>((resolve) => server.listen(this.socketPath, resolve));
    this.server = server;
  }

  /** dockerd goes away: streams cut, socket closed. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.streams) s.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  emit(action: 'start' | 'die', id: string): void {
    for (const s of this.streams) s.write(`${JSON.stringify({ status: action, id, Type: 'container', Action: action, time: Math.floor(Date.now() / 1000) })}\n`);
  }
}

/** A TCP "published port" on 127.0.0.1 answering `<name>:<what it read>` once the client half-closes. */
async function target(t: Test, name: string): Promise<{ port: number; server: Server }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => s.end(`${name}:${got}`));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as { port: number }).port, server };
}

/** Sends `text`, half-closes, and returns everything the other side sends before closing. */
function exchange(port: number, text: string, host = BIND): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.once('error', reject);
    s.once('close', () => resolve(got));
    s.once('connect', () => s.end(text));
  });
}

function refused(port: number, host = BIND): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

interface LogLine {
  level: string;
  msg: string | undefined;
  fields: Record<string, unknown>;
}
function captureLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    void lines.push(typeof obj === 'string' ? { level, msg: obj, fields: bindings } : { level, msg, fields: { ...bindings, ...(obj as Record<string, unknown>) } });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => captureLogger(lines, { ...bindings, ...b }) };
}

/** Counts reads, so a test can wait for the periodic sweep to have looked. */
class CountingStore extends MemoryStateStore {
  views = 0;
  override view<R>(fn: (state: Readonly<StateDocument>) => R | Promise<R>): Promise<R> {
    this.views += 1;
    return super.view(fn);
  }
}

const OPTIONS: PortProxyOptions = { bind: BIND, rescanIntervalMs: 0, eventDebounceMs: 50, dialTimeoutMs: 1000, scanTimeoutMs: 1000, maxConnections: 8, loopbackDnat: false, nsenterFallback: false };

async function world(t: Test, options: Partial<PortProxyOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-ppsvc-`));
  const state = new CountingStore();
  const running = new Set<string>(['demo']);
  await state.update((s) => void (s.instances['demo'] = sampleInstance('demo')));
  const api = new FakeDockerApi(join(dir, 'demo.sock'));
  await api.up();
  const dockerd = { socketPath: (i: string) => join(dir, `${i}.sock`), isRunning: async (i: string) => running.has(i) } as unknown as DockerdSupervisor;
  const netns = { describe: ({ instance }: { instance: string }) => ({ name: `ds-${instance}`, path: '/nonexistent', hostVeth: '', hostIp: '', nsIp: '127.0.0.1' }) } as unknown as NetnsManager;
  const logs: LogLine[] = [];
  const service = new PortProxyService({ state, dockerd, netns, exec: createExec(silentLogger()), log: captureLogger(logs) }, { ...OPTIONS, ...options });
  t.teardown(async () => {
    await service.close();
    await api.down();
    rmSync(dir, { recursive: true, force: true });
  });
  const publish = (id: string, port: number, inContainer = 80) => api.containers.set(id, { [`${inContainer}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: String(port) }, { HostIp: '::', HostPort: String(port) }] });
  return { service, api, state, running, logs, publish };
}

const cid = (n: number) => `${String(n).repeat(12)}${'f'.repeat(52)}`.slice(0, 64);

t.test('unknown instances: empty record, drop and refresh are harmless', async (t) => {
  const { service } = await world(t);
  t.same(service.list('nosuch'), { instance: 'nosuch', target_ip: '', ports: [] });
  await service.drop('nosuch');
  await service.drop('nosuch');
  t.same(await service.refresh('nosuch'), { instance: 'nosuch', target_ip: '', ports: [] }, 'no state row: nothing to follow');
  t.notOk(service.isTracked('nosuch'));
});

t.test('refresh: scan, listen on the published port number, pipe with half-close', async (t) => {
  const { service, api, publish } = await world(t);
  const a = await target(t, 'a');
  publish(cid(1), a.port, 6443);
  const ports = await service.refresh('demo');
  t.same(ports, { instance: 'demo', target_ip: '127.0.0.1', ports: [{ host_port: a.port, container_port: a.port, in_container_port: 6443, protocol: 'tcp', description: 'kubernetes-api' }] });
  t.equal(await exchange(a.port, 'ping'), 'a:ping', 'the reply written after the client half-closed arrives: half-close is forwarded');
  t.equal(api.eventStreams, 1, 'the instance is followed through its event stream');
  const again = await service.refresh('demo');
  t.same(again, ports, 'a second refresh gives the same table');
  t.equal(api.eventStreams, 1, 'and one event stream, not two');
});

t.test('events: start/die bursts are debounced into one rescan; forwards follow the containers', async (t) => {
  const { service, api, publish } = await world(t);
  const a = await target(t, 'a');
  const b = await target(t, 'b');
  publish(cid(1), a.port);
  await service.refresh('demo');
  const listsBefore = api.listCalls();
  publish(cid(2), b.port, 8080);
  for (let i = 0; i < 5; i++) api.emit('start', cid(2));
  const m = await waitFor(() => service.list('demo').ports.find((p) => p.container_port === b.port), 'the forward of the new container');
  t.equal(m.description, `container:${cid(2).slice(0, 12)}/8080/tcp`);
  t.equal(api.listCalls() - listsBefore, 1, 'five events, one scan');
  t.equal(await exchange(b.port, 'x'), 'b:x');

  api.containers.delete(cid(1));
  api.emit('die', cid(1));
  await waitFor(() => !service.list('demo').ports.some((p) => p.container_port === a.port), 'the forward of the dead container removed');
  t.ok(await refused(a.port), 'its listener is closed');
  t.equal(await exchange(b.port, 'y'), 'b:y', 'the other forward is untouched');
});

t.test('dockerd down: forwards stay, scans do nothing; back up: the stream reconnects and rescans', async (t) => {
  const { service, api, publish, logs } = await world(t);
  const a = await target(t, 'a');
  const b = await target(t, 'b');
  publish(cid(1), a.port);
  await service.refresh('demo');
  await api.down();
  t.same((await service.rescan('demo')).ports.map((p) => p.host_port), [a.port], 'a scan while dockerd is down changes nothing');
  t.notOk(logs.some((l) => l.level === 'warn' || l.level === 'error'), 'and says nothing above debug');
  publish(cid(2), b.port);
  await api.up();
  await waitFor(() => service.list('demo').ports.some((p) => p.container_port === b.port), 'the container started while dockerd was away (found by the reconnect rescan)', 15_000);
  await waitFor(() => api.eventStreams === 1, 'the event stream back');
  const c = await target(t, 'c');
  publish(cid(3), c.port);
  api.emit('start', cid(3));
  await waitFor(() => service.list('demo').ports.some((p) => p.container_port === c.port), 'an event on the new stream');
  t.equal(await exchange(c.port, 'z'), 'c:z');
});

t.test('drop: listeners closed, event stream closed, later events ignored; idempotent', async (t) => {
  const { service, api, publish } = await world(t);
  const a = await target(t, 'a');
  publish(cid(1), a.port);
  await service.refresh('demo');
  const open = connect({ host: BIND, port: a.port });
  await new Promise((resolve) => open.once('connect', resolve));
  const cut = new Promise((resolve) => open.once('close', resolve));
  await service.drop('demo');
  await cut;
  t.pass('an open connection is cut');
  t.ok(await refused(a.port));
  t.same(service.list('demo'), { instance: 'demo', target_ip: '', ports: [] });
  await waitFor(() => api.eventStreams === 0, 'the event stream closed');
  const lists = api.listCalls();
  await service.rescan('demo');
  t.equal(api.listCalls(), lists, 'a dropped instance is not scanned');
  await service.drop('demo');
  t.pass('drop twice');
});

t.test('host port collision: kernel-chosen port, requested_host_port recorded', async (t) => {
  const { service, publish, logs } = await world(t);
  const a = await target(t, 'a');
  const squatter = createServer((s) => s.end('squatter'));
  await new Promise<void>((resolve) => squatter.listen(a.port, BIND, resolve));
  t.teardown(() => new Promise((resolve) => squatter.close(resolve)));
  publish(cid(1), a.port);
  const [m] = (await service.refresh('demo')).ports;
  t.not(m!.host_port, a.port);
  t.match(m, { container_port: a.port, requested_host_port: a.port });
  t.equal(await exchange(m!.host_port, 'q'), 'a:q');
  t.ok(logs.some((l) => l.msg === 'host port in use; forwarding on another port' && l.fields['requestedHostPort'] === a.port));
});

t.test('periodic rescan: tracked instances without forwards are scanned; running ones nobody refreshed are adopted', async (t) => {
  const { service, api, state, publish, running } = await world(t, { rescanIntervalMs: 20 });
  const a = await target(t, 'a');
  publish(cid(1), a.port);
  await state.update((s) => void (s.instances['demo']!.operation = { kind: 'stop', id: 'x', started_at: '' }));
  service.start();
  const seen = state.views;
  await waitFor(() => state.views >= seen + 3, 'three sweeps');
  t.notOk(service.isTracked('demo'), 'an instance with an operation under way is left to the kernel');
  await state.update((s) => void delete s.instances['demo']!.operation);
  running.delete('demo');
  const seen2 = state.views;
  await waitFor(() => state.views >= seen2 + 3, 'three more sweeps');
  t.notOk(service.isTracked('demo'), 'nor is one whose dockerd is not running');
  running.add('demo');
  await waitFor(() => service.list('demo').ports.length === 1, 'the running instance adopted by the sweep');
  t.ok(service.isTracked('demo'));
  t.equal(await exchange(a.port, 'p'), 'a:p');
  api.containers.clear();
  await service.refresh('demo');
  t.same(service.list('demo').ports, [], 'followed, no forwards');
  const b = await target(t, 'b');
  publish(cid(2), b.port); // no event: only the periodic rescan can find it
  await waitFor(() => service.list('demo').ports.length === 1, 'the periodic rescan of a followed instance without forwards');
  t.equal(await exchange(b.port, 'q'), 'b:q');
});

t.test('close: every listener and stream closed; nothing keeps the process alive', async (t) => {
  const { service, api, publish } = await world(t);
  const a = await target(t, 'a');
  publish(cid(1), a.port);
  await service.refresh('demo');
  await service.close();
  t.ok(await refused(a.port));
  await waitFor(() => api.eventStreams === 0, 'the event stream closed');
  t.same(await service.refresh('demo'), { instance: 'demo', target_ip: '', ports: [] }, 'a closed proxy forwards nothing');
  await service.close();
});

t.test('tcp forward: dial failures close the client, are logged once per interval, and never hurt the listener', async (t) => {
  const lines: LogLine[] = [];
  const dead = await target(t, 'dead');
  await new Promise((resolve) => dead.server.close(resolve));
  const forward = await TcpForward.open({ bind: BIND, port: 0, target: { host: '127.0.0.1', port: dead.port, netnsPath: '/nonexistent' }, dial: { timeoutMs: 1000, fallback: false }, maxConnections: 8, log: captureLogger(lines) });
  t.teardown(() => forward.close());
  for (let i = 0; i < 5; i++) {
    const outcome = await exchange(forward.hostPort, 'hello').catch((err: NodeJS.ErrnoException) => err.code);
    t.ok(outcome === '' || outcome === 'ECONNRESET', `connection ${i + 1} closed without data (${JSON.stringify(outcome)})`);
  }
  t.equal(lines.filter((l) => l.level === 'warn').length, 1, 'five failures, one warning');
  t.match(lines.find((l) => l.level === 'warn')?.fields, { where: 'dial', code: 'ECONNREFUSED' });
  t.equal(forward.connections, 0);
  await forward.close();
  await forward.close();
  t.ok(await refused(forward.hostPort), 'closed, idempotently');
});

t.test('tcp forward: at most maxConnections at once', async (t) => {
  const held: Socket[] = [];
  const sink = createServer((s) => void held.push(s));
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const s of held) s.destroy();
    return new Promise((resolve) => sink.close(resolve));
  });
  const forward = await TcpForward.open({ bind: BIND, port: 0, target: { host: '127.0.0.1', port: (sink.address() as { port: number }).port, netnsPath: '/nonexistent' }, dial: { timeoutMs: 1000, fallback: false }, maxConnections: 2, log: silentLogger() });
  t.teardown(() => forward.close());
  const clients = [0, 1, 2].map(() => connect({ host: BIND, port: forward.hostPort }));
  for (const c of clients) c.on('error', () => undefined);
  t.teardown(() => clients.forEach((c) => c.destroy()));
  await waitFor(() => held.length === 2 && clients.some((c) => c.closed), 'two connections through, one refused');
  t.equal(clients.filter((c) => c.closed).length, 1);
  t.equal(forward.connections, 2);
});

t.test('tcp forward: when the direct dial is refused, nsenter + socat reaches 127.0.0.1 inside the namespace (half-close kept)', { skip: hostSkip(['nsenter', 'socat']) }, async (t) => {
  const a = await target(t, 'a'); // listens on 127.0.0.1 only
  const lines: LogLine[] = [];
  // Direct: 127.0.0.3:<port> refuses. Fallback: our own namespace's 127.0.0.1:<port> answers.
  const forward = await TcpForward.open({ bind: BIND, port: 0, target: { host: '127.0.0.3', port: a.port, netnsPath: '/proc/self/ns/net' }, dial: { timeoutMs: 1000, fallback: true }, maxConnections: 8, log: captureLogger(lines) });
  t.teardown(() => forward.close());
  t.equal(await exchange(forward.hostPort, 'ping'), 'a:ping');
  t.equal(await exchange(forward.hostPort, 'again'), 'a:again');
  t.same(lines.filter((l) => l.level === 'warn'), [], 'a working fallback is not a failure');
});
