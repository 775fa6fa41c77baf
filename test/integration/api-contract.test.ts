import t, { type Test } from 'tap';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createServer } from '../../bin/server/server.js';
import { silentLogger } from '../../kernel/logger.js';
import { decodeState, dockerdCapability, netnsCapability, portProxyCapability, stateCapability, storageCapability, workloadCapability, type AccessResponse } from '../../plugin-sdk/index.js';
import { workloadCatalogCapability, type WorkloadCatalog } from '../../plugin-sdk/capabilities/workload-catalog.js';
import type { PluginInfo } from '../../plugin-sdk/client/index.js';
import { waitFor } from '../helpers/host.js';
import { FakeDockerd, FakeNetns, FakePortProxy, FakeStorage, FakeWorkload, MemoryStateStore, startTestKernel, type Fake } from '../../plugin-sdk/testing/index.js';

/**
 * The REST API v1 contract against a real kernel with fakes: every route's success status and
 * shape (api-v1 §5–§8), every error status (ours: DsError.httpStatus), auth, NDJSON framing
 * (§4), and a bad-input matrix that must answer 4xx envelopes and change nothing.
 */

const TOKEN = 'tok3n';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const NDJSON = { accept: 'application/x-ndjson' };

/** A workload whose access bundle uses every token the daemon resolves. */
class TokenWorkload extends FakeWorkload {
  override async access(input: Parameters<FakeWorkload['access']>[0]): Promise<AccessResponse> {
    await super.access(input);
    return {
      contract_version: '1',
      env: { KUBECONFIG: '${ACCESS_DIR}/kubeconfig', URL: 'https://${HOST}:${PORT:web}', DOCKER_HOST: 'overwritten' },
      files: [{ name: 'kubeconfig', content: 'server: https://${HOST}:${PORT:web} keep ${PORT:nosuch}', mode: '0600' }],
      endpoints: [{ name: 'web', scheme: 'http', host_port_label: 'web', insecure: true }, { name: 'docs', url: 'http://${HOST}/docs' }],
    };
  }
}

/** Holds a dockerd start open until released, to keep an operation busy. */
class GatedDockerd extends FakeDockerd {
  gate: Promise<void> | undefined;
  override async start(spec: Parameters<FakeDockerd['start']>[0]) {
    await this.gate;
    return super.start(spec);
  }
}

interface World {
  app: FastifyInstance;
  state: MemoryStateStore;
  dockerd: GatedDockerd;
  proxy: FakePortProxy;
  workload: TokenWorkload;
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  snapshotState(): Promise<string>;
}

/** The exec workload plugins of plugins.dir, as the workload-exec builtin lists them. */
class FakeCatalog implements WorkloadCatalog {
  entries: PluginInfo[] = [
    { name: 'echo', status: 'ready', version: 'v0.5.2', supported_contract_versions: ['1'], config_options: [{ name: 'image', type: 'string', default: 'hashicorp/http-echo:latest' }], schema_digest: 'ab', binary_digest: 'cd' },
    { name: 'broken', status: 'disabled', error: 'running schema: exit status 2', binary_digest: 'ef' },
  ];
  rescans = 0;
  list(): PluginInfo[] {
    return this.entries;
  }
  get(name: string): PluginInfo | undefined {
    return this.entries.find((e) => e.name === name);
  }
  async rescan(): Promise<PluginInfo[]> {
    this.rescans += 1;
    return this.entries;
  }
  driver(): never {
    throw new Error('not used');
  }
}

async function world(t: Test, options: { token?: string; bodyLimit?: number; proxy?: boolean; catalog?: FakeCatalog } = {}): Promise<World> {
  const state = new MemoryStateStore();
  const dockerd = new GatedDockerd();
  const proxy = new FakePortProxy();
  const workload = new TokenWorkload('fakewl');
  const fakes: Fake[] = [[stateCapability, state], [storageCapability, new FakeStorage()], [netnsCapability, new FakeNetns()], [dockerdCapability, dockerd], [workloadCapability, workload, 'fakewl']];
  if (options.proxy !== false) fakes.push([portProxyCapability, proxy]);
  if (options.catalog) fakes.push([workloadCatalogCapability, options.catalog]);
  const tk = await startTestKernel({ fakes, settings: { api: { token: options.token ?? '', body_limit: options.bodyLimit ?? 1_048_576 } } });
  const app = createServer({ kernel: tk.kernel, settings: tk.settings, log: silentLogger() });
  t.teardown(async () => {
    await app.close();
    await tk.close();
  });
  await app.ready();
  const headers = options.token ? AUTH : {};
  return {
    app,
    state,
    dockerd,
    proxy,
    workload,
    call: (o) => app.inject({ ...o, headers: { ...headers, ...(o.headers ?? {}) } }),
    snapshotState: async () => JSON.stringify(decodeState(await state.view((s) => structuredClone(s)))),
  };
}

/** A JSON answer: the status, exactly `application/json`, one value and a newline. */
function json(t: Test, res: LightMyRequestResponse, status: number): any {
  t.equal(res.statusCode, status, `status ${status}${res.statusCode === status ? '' : `: ${res.body}`}`);
  t.equal(res.headers['content-type'], 'application/json');
  t.ok(res.body.endsWith('\n') && !res.body.endsWith('\n\n'), 'one JSON value and a newline');
  return res.json();
}

/** The error envelope with its status and code. */
function envelope(t: Test, res: LightMyRequestResponse, status: number, code: string): { error: string; code: string } {
  const body = json(t, res, status);
  t.equal(body.code, code, `code ${code}`);
  t.type(body.error, 'string');
  return body;
}

const INSTANCE_KEYS = ['name', 'dataset', 'subnet', 'subnet_index', 'metallb_ip', 'socket', 'pid_file', 'created_at', 'status', 'snapshots'];

t.test('every route answers with the status and shape of api-v1 §5', async (t) => {
  const w = await world(t);
  t.same(json(t, await w.call({ url: '/api/v1/instances' }), 200), [], 'an empty list is [], not null');
  const created = json(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'demo' } }), 201);
  t.same(Object.keys(created).sort(), [...INSTANCE_KEYS].sort(), 'an Instance, nothing internal');
  t.match(created, { name: 'demo', status: 'running', subnet: '10.10.0.0/16', subnet_index: 0, metallb_ip: '10.10.10.10', snapshots: [] });
  t.match(json(t, await w.call({ url: '/api/v1/instances/demo' }), 200), { name: 'demo', status: 'running' });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/stop' }), 200), { status: 'ok' });
  t.equal(json(t, await w.call({ url: '/api/v1/instances/demo' }), 200).status, 'stopped', 'live status');
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/start' }), 200), { status: 'ok' });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/restart' }), 200), { status: 'ok' });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'golden', tags: { version: '2.5.0' } } }), 201), { status: 'ok' });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'later', owner: 'me' } }), 201), { status: 'ok' });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/revert', payload: { label: 'golden', force: true } }), 200), { status: 'ok' });
  const snaps = json(t, await w.call({ url: '/api/v1/instances/demo' }), 200).snapshots;
  t.match(snaps, [{ label: 'golden', tags: { version: '2.5.0' }, created_at: String }]);
  t.equal(snaps.length, 1, 'the newer snapshot went with the forced revert');
  const clone = json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/clone', payload: { label: 'golden', new_name: 'demo-dev' } }), 201);
  t.match(clone, { name: 'demo-dev', status: 'running', clone_of: 'demo@golden', subnet: '10.11.0.0/16' });
  const list = json(t, await w.call({ url: '/api/v1/instances' }), 200);
  t.same(list.map((i: { name: string }) => i.name), ['demo', 'demo-dev']);

  t.same(json(t, await w.call({ url: '/api/v1/instances/demo/ports' }), 200), { instance: 'demo', target_ip: '', ports: [] });
  t.same(json(t, await w.call({ url: '/api/v1/instances/nosuch/ports' }), 200), { instance: 'nosuch', target_ip: '', ports: [] }, 'ports never 404');
  const mapping = { host_port: 34567, container_port: 34567, in_container_port: 6443, protocol: 'tcp' as const, description: 'kubernetes-api' };
  w.proxy.tables.set('demo', { instance: 'demo', target_ip: '10.10.0.2', ports: [mapping] });
  t.same(json(t, await w.call({ url: '/api/v1/instances/demo/ports' }), 200), { instance: 'demo', target_ip: '10.10.0.2', ports: [mapping] });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/ports/refresh' }), 200).ports, [mapping]);

  t.same(json(t, await w.call({ url: '/api/v1/instances/demo/access' }), 200), { contract_version: '1', env: { DOCKER_HOST: 'unix:///fake/run/demo.sock', DOCKERSNAP_INSTANCE: 'demo' } });
  t.same(json(t, await w.call({ url: '/api/v1/instances/demo/workload' }), 200), { workload_type: 'none' });
  t.same(json(t, await w.call({ url: '/api/v1/instances/demo/workload/health' }), 200), { workload_plugin: '', healthy: true, checks: [{ name: 'workload', ok: true, message: 'no workload bound' }] });
  t.match(json(t, await w.call({ url: '/api/v1/health' }), 200), { status: 'ok', instances: 2, running: 2, running_healthy: 0, running_unhealthy: 0 });

  const del = await w.call({ method: 'DELETE', url: '/api/v1/instances/demo-dev' });
  t.equal(del.statusCode, 204);
  t.equal(del.body, '', 'delete answers 204 with an empty body');
  t.equal((await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/golden', payload: { force: true } })).statusCode, 204, 'our snapshot delete');
  t.same(json(t, await w.call({ url: '/api/v1/instances/demo' }), 200).snapshots, []);
});

t.test('a workload: access tokens resolved, describe flattened, health synchronous', async (t) => {
  const w = await world(t);
  w.workload.configOptions = [{ name: 'retries', type: 'int' }];
  const created = json(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'kube', workload_inline: { plugin: 'fakewl', config: { retries: 5 } } } }), 201);
  t.match(created, { workload_plugin: 'fakewl', workload_config: { retries: 5 }, workload_contract_version: '1' });
  w.proxy.tables.set('kube', { instance: 'kube', target_ip: '10.10.0.2', ports: [{ host_port: 41003, container_port: 32768, protocol: 'tcp', description: 'web' }] });
  const access = json(t, await w.call({ url: '/api/v1/instances/kube/access', headers: { host: 'vm.example.com:9847' } }), 200);
  t.same(access, {
    contract_version: '1',
    env: { KUBECONFIG: '${ACCESS_DIR}/kubeconfig', URL: 'https://127.0.0.1:41003', DOCKER_HOST: 'unix:///fake/run/kube.sock', DOCKERSNAP_INSTANCE: 'kube' },
    files: [{ name: 'kubeconfig', content: 'server: https://127.0.0.1:41003 keep ${PORT:nosuch}', mode: '0600' }],
    endpoints: [{ name: 'web', scheme: 'http', host_port_label: 'web', insecure: true, url: 'http://127.0.0.1:41003' }, { name: 'docs', url: 'http://127.0.0.1/docs' }],
  }, '${HOST} is api.proxy_bind (127.0.0.1 by default); ${ACCESS_DIR} stays literal');
  const input = w.workload.calls.filter((c) => c.command === 'access').pop()!.input!;
  t.match(input, { command: 'access', instance_name: 'kube', plugin_config: { retries: 5 }, forwarded_ports: [{ label: 'web', host_port: 41003 }] });
  t.same(json(t, await w.call({ url: '/api/v1/instances/kube/workload' }), 200), { workload_plugin: 'fakewl', workload_type: 'fakewl', status: 'ready' });
  t.same(json(t, await w.call({ url: '/api/v1/instances/kube/workload/health?fresh=true' }), 200), { workload_plugin: 'fakewl', healthy: true, contract_version: '1' });
  w.workload.failOn = 'health';
  t.match(json(t, await w.call({ url: '/api/v1/instances/kube/workload/health' }), 200), { workload_plugin: 'fakewl', healthy: false, checks: [{ name: 'plugin', ok: false, message: /injected failure/ }] }, 'a failing plugin is unhealthy, not a 5xx');
  w.workload.failOn = 'describe';
  t.match(envelope(t, await w.call({ url: '/api/v1/instances/kube/workload' }), 502, 'DS_ERR_PLUGIN_FAILED').error, /^plugin describe: /);
  w.workload.failOn = 'access';
  t.match(envelope(t, await w.call({ url: '/api/v1/instances/kube/access' }), 502, 'DS_ERR_PLUGIN_FAILED').error, /^plugin access: /);
});

t.test('plugins: the kernel plugins and the exec workload plugins of the catalog', async (t) => {
  const catalog = new FakeCatalog();
  const w = await world(t, { catalog });
  const list = json(t, await w.call({ url: '/api/v1/plugins' }), 200) as PluginInfo[];
  t.same(list.map((p) => p.name), [...list.map((p) => p.name)].sort(), 'sorted by name');
  t.match(list.find((p) => p.name === 'echo'), catalog.entries[0], 'exec plugins as the original lists them');
  t.match(list.find((p) => p.name === 'broken'), { status: 'disabled', error: 'running schema: exit status 2' });
  t.ok(list.some((p) => p.kind === 'kernel'), 'kernel plugins too');
  t.match(json(t, await w.call({ url: '/api/v1/plugins/echo' }), 200), { name: 'echo', config_options: [{ name: 'image' }] });
  t.equal(envelope(t, await w.call({ url: '/api/v1/plugins/broken' }), 404, 'DS_ERR_PLUGIN_NOT_FOUND').error, 'plugin "broken" is disabled: running schema: exit status 2');
  t.equal(envelope(t, await w.call({ url: '/api/v1/plugins/nosuch' }), 404, 'DS_ERR_PLUGIN_NOT_FOUND').error, 'plugin "nosuch" not found');
  const reloaded = json(t, await w.call({ method: 'POST', url: '/api/v1/plugins/reload' }), 200) as PluginInfo[];
  t.equal(catalog.rescans, 1, 'a reload rescans the exec plugins');
  t.same(reloaded.map((p) => p.name), list.map((p) => p.name));
});

t.test('without a port proxy: ports are empty, refresh answers an empty record', async (t) => {
  const w = await world(t, { proxy: false });
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'plain' } }), 201);
  t.same(json(t, await w.call({ url: '/api/v1/instances/plain/ports' }), 200), { instance: 'plain', target_ip: '', ports: [] });
  t.same(json(t, await w.call({ method: 'POST', url: '/api/v1/instances/plain/ports/refresh' }), 200), { instance: 'plain', target_ip: '', ports: [] });
});

t.test('error statuses: ours, with the original texts, never 5xx for a client mistake', async (t) => {
  const w = await world(t);
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'demo' } }), 201);
  const notFound: Array<[string, string, unknown?]> = [
    ['GET', '/api/v1/instances/nosuch'],
    ['DELETE', '/api/v1/instances/nosuch'],
    ['POST', '/api/v1/instances/nosuch/start'],
    ['POST', '/api/v1/instances/nosuch/stop'],
    ['POST', '/api/v1/instances/nosuch/restart'],
    ['POST', '/api/v1/instances/nosuch/snapshot', { label: 'x' }],
    ['POST', '/api/v1/instances/nosuch/revert', { label: 'x' }],
    ['POST', '/api/v1/instances/nosuch/ports/refresh'],
    ['GET', '/api/v1/instances/nosuch/access'],
    ['GET', '/api/v1/instances/nosuch/workload'],
    ['GET', '/api/v1/instances/nosuch/workload/health'],
    ['GET', '/api/v1/instances/Not_A_Name'],
  ];
  for (const [method, url, payload] of notFound) {
    const body = envelope(t, await w.call({ method: method as 'GET', url, ...(payload ? { payload: payload as object } : {}) }), 404, 'DS_ERR_NOT_FOUND');
    t.match(body.error, /^instance not found: "/, `${method} ${url}`);
  }
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/nosuch/clone', payload: { label: 'x', new_name: 'y' } }), 404, 'DS_ERR_NOT_FOUND').error, 'source instance "nosuch" not found');
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/revert', payload: { label: 'nope' } }), 404, 'DS_ERR_NOT_FOUND').error, 'snapshot "nope" not found for instance "demo"');
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'demo' } }), 409, 'DS_ERR_EXISTS').error, 'instance "demo" already exists');
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/start' }), 409, 'DS_ERR_CONFLICT').error, 'instance "demo" is already running');
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'a', owner: 'other' } }), 201);
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'b' } }), 201);
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'a' } }), 409, 'DS_ERR_EXISTS').error, 'snapshot "a" already exists for instance "demo"');
  t.match(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/revert', payload: { label: 'a' } }), 409, 'DS_ERR_CONFLICT').error, /would destroy the newer snapshots "b"/);
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/clone', payload: { label: 'a', new_name: 'demo' } }), 409, 'DS_ERR_EXISTS').error, 'instance "demo" already exists');
  t.match(envelope(t, await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/a' }), 409, 'DS_ERR_CONFLICT').error, /created by "other", not by this client; pass force/);
  envelope(t, await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/a', payload: { owner: 'me' } }), 409, 'DS_ERR_CONFLICT');
  envelope(t, await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/a?owner=me' }), 409, 'DS_ERR_CONFLICT');
  envelope(t, await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/zzz' }), 404, 'DS_ERR_NOT_FOUND');
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'wl', workload_inline: { plugin: 'nosuch' } } }), 404, 'DS_ERR_PLUGIN_NOT_FOUND').error, 'plugin "nosuch": plugin "nosuch" not found');
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/stop' }), 200);
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/stop' }), 409, 'DS_ERR_CONFLICT').error, 'instance "demo" is not running');
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/ports/refresh' }), 400, 'DS_ERR_INVALID_INPUT').error, 'instance "demo" is not running');
  envelope(t, await w.call({ method: 'PUT', url: '/api/v1/instances/demo' }), 404, 'DS_ERR_NOT_FOUND');

  let release!: () => void;
  w.dockerd.gate = new Promise((resolve) => (release = resolve));
  const busyOp = w.call({ method: 'POST', url: '/api/v1/instances/demo/start' });
  await waitFor(async () => (await w.call({ url: '/api/v1/instances/demo' })).json<{ status: string }>().status === 'busy', 'the start to hold the instance');
  t.match(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'c' } }), 409, 'DS_ERR_BUSY').error, /is busy: a start/);
  envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/stop', headers: NDJSON }), 409, 'DS_ERR_BUSY');
  t.equal(json(t, await w.call({ url: '/api/v1/instances/demo' }), 200).status, 'busy');
  t.equal(envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/ports/refresh' }), 409, 'DS_ERR_BUSY').code, 'DS_ERR_BUSY');
  w.dockerd.gate = undefined;
  release();
  t.same(json(t, await busyOp, 200), { status: 'ok' }, 'the operation that held the instance finished');
});

t.test('auth: token required on every route but GET health; the OpenAPI document is protected', async (t) => {
  const w = await world(t, { token: TOKEN });
  const routes: Array<[string, string]> = [
    ['GET', '/api/v1/instances'], ['POST', '/api/v1/instances'], ['GET', '/api/v1/instances/x'], ['DELETE', '/api/v1/instances/x'],
    ['POST', '/api/v1/instances/x/start'], ['POST', '/api/v1/instances/x/stop'], ['POST', '/api/v1/instances/x/restart'], ['POST', '/api/v1/instances/x/snapshot'],
    ['POST', '/api/v1/instances/x/revert'], ['POST', '/api/v1/instances/x/clone'], ['GET', '/api/v1/instances/x/ports'], ['POST', '/api/v1/instances/x/ports/refresh'],
    ['GET', '/api/v1/instances/x/access'], ['GET', '/api/v1/instances/x/workload'], ['GET', '/api/v1/instances/x/workload/health'], ['DELETE', '/api/v1/instances/x/snapshots/y'],
    ['GET', '/api/v1/plugins'], ['GET', '/api/v1/plugins/x'], ['POST', '/api/v1/plugins/reload'], ['GET', '/api/v1/openapi.json'],
  ];
  for (const [method, url] of routes) {
    for (const authorization of [undefined, 'Bearer wrong', `bearer ${TOKEN}`]) {
      const res = await w.app.inject({ method: method as 'GET', url, headers: authorization ? { authorization } : {} });
      envelope(t, res, 401, 'DS_ERR_UNAUTHORIZED');
      t.equal(res.headers['www-authenticate'], 'Bearer');
    }
  }
  t.equal((await w.app.inject({ url: '/api/v1/health' })).statusCode, 200, 'health is public');
  t.equal((await w.app.inject({ url: '/api/v1/instances', headers: AUTH })).statusCode, 200, 'the right token');
});

t.test('the OpenAPI document is generated from the route schemas', async (t) => {
  const w = await world(t);
  const doc = json(t, await w.call({ url: '/api/v1/openapi.json' }), 200);
  t.equal(doc.openapi, '3.1.0');
  for (const path of ['/api/v1/instances', '/api/v1/instances/{name}', '/api/v1/instances/{name}/snapshot', '/api/v1/instances/{name}/ports/refresh', '/api/v1/instances/{name}/workload/health', '/api/v1/instances/{name}/snapshots/{label}', '/api/v1/plugins/reload', '/api/v1/health']) {
    t.ok(doc.paths[path], `documents ${path}`);
  }
  t.notOk(doc.paths['/api/v1/openapi.json'], 'not itself');
  t.match(doc.paths['/api/v1/instances'].post, { requestBody: { required: true, content: { 'application/json': { schema: { required: ['name'], additionalProperties: false } } } }, responses: { 201: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Instance' } } } }, 200: { content: { 'application/x-ndjson': {} } } } });
  t.equal(doc.paths['/api/v1/instances/{name}/start'].post.requestBody.required, false, 'routes that read no body do not require one');
  t.same(doc.paths['/api/v1/health'].get.security, [], 'health is public');
  t.ok(doc.components.schemas.Instance && doc.components.schemas.ErrorEnvelope && doc.components.schemas.ProgressEvent);
});

t.test('NDJSON: exact trigger, framing, in-band failures with a code, plain 4xx before streaming', async (t) => {
  const w = await world(t);
  const res = await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'demo' }, headers: NDJSON });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/x-ndjson', 'exactly, no charset');
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.ok(res.body.endsWith('\n'));
  const lines = res.body.slice(0, -1).split('\n');
  for (const line of lines) {
    const event = JSON.parse(line);
    t.equal(line, JSON.stringify(event), 'one compact JSON object per line');
    t.match(event, { step: String, status: /^(running|done|error)$/ });
  }
  t.match(JSON.parse(lines.at(-1)!), { step: 'complete', status: 'done' });

  const failed = await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'demo' }, headers: NDJSON });
  t.equal(failed.statusCode, 200, 'a failure after validation is in-band');
  t.same(JSON.parse(failed.body.trim().split('\n').at(-1)!), { step: 'error', status: 'error', message: 'instance "demo" already exists', code: 'DS_ERR_EXISTS' });
  const missing = await w.call({ method: 'POST', url: '/api/v1/instances/nosuch/stop', headers: NDJSON });
  t.match(JSON.parse(missing.body.trim()), { step: 'error', status: 'error', code: 'DS_ERR_NOT_FOUND' });

  envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'Bad' }, headers: NDJSON }), 400, 'DS_ERR_INVALID_NAME');
  envelope(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: {}, headers: NDJSON }), 400, 'DS_ERR_INVALID_INPUT');
  const mixed = await w.call({ method: 'POST', url: '/api/v1/instances/demo/stop', headers: { accept: 'application/x-ndjson, */*' } });
  t.same(json(t, mixed, 200), { status: 'ok' }, 'only the exact Accept value streams');
  for (const [method, url, payload] of [['DELETE', '/api/v1/instances/demo'], ['POST', '/api/v1/instances/nosuch/snapshot', { label: 'x' }], ['POST', '/api/v1/instances/nosuch/revert', { label: 'x' }], ['POST', '/api/v1/instances/nosuch/clone', { label: 'x', new_name: 'y' }], ['POST', '/api/v1/instances/nosuch/start']] as const) {
    const r = await w.call({ method, url, headers: NDJSON, ...(payload ? { payload } : {}) });
    t.equal(r.headers['content-type'], 'application/x-ndjson', `${method} ${url} streams`);
  }
});

t.test('bad input on every route: a 4xx envelope, nothing changed', async (t) => {
  const w = await world(t, { bodyLimit: 4096 });
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances', payload: { name: 'demo' } }), 201);
  json(t, await w.call({ method: 'POST', url: '/api/v1/instances/demo/snapshot', payload: { label: 'golden' } }), 201);
  const before = await w.snapshotState();
  const huge = JSON.stringify({ name: 'x'.repeat(5000) });
  const bodies: Array<[string, string, Record<string, unknown>]> = [
    ['POST', '/api/v1/instances', { name: 'ok-name' }],
    ['POST', '/api/v1/instances/demo/snapshot', { label: 'l2' }],
    ['POST', '/api/v1/instances/demo/revert', { label: 'golden' }],
    ['POST', '/api/v1/instances/demo/clone', { label: 'golden', new_name: 'copy' }],
    ['POST', '/api/v1/instances/demo/start', {}],
    ['POST', '/api/v1/instances/demo/stop', {}],
    ['POST', '/api/v1/instances/demo/restart', {}],
    ['DELETE', '/api/v1/instances/demo', {}],
    ['POST', '/api/v1/instances/demo/ports/refresh', {}],
    ['DELETE', '/api/v1/instances/demo/snapshots/golden', {}],
    ['POST', '/api/v1/plugins/reload', {}],
  ];
  for (const [method, url, good] of bodies) {
    const m = method as 'POST';
    const raw = (payload: string) => w.call({ method: m, url, payload, headers: { 'content-type': 'application/json' } });
    t.match(envelope(t, await raw('{"label":'), 400, 'DS_ERR_INVALID_INPUT').error, /^invalid request body: /, `${method} ${url}: malformed JSON`);
    t.match(envelope(t, await w.call({ method: m, url, payload: { ...good, surprise: true } }), 400, 'DS_ERR_INVALID_INPUT').error, /unknown field "surprise"/, `${method} ${url}: unknown field`);
    envelope(t, await raw('[1,2]'), 400, 'DS_ERR_INVALID_INPUT');
    envelope(t, await raw('"text"'), 400, 'DS_ERR_INVALID_INPUT');
    envelope(t, await raw(huge), 413, 'DS_ERR_PAYLOAD_TOO_LARGE');
    for (const key of Object.keys(good)) {
      t.match(envelope(t, await w.call({ method: m, url, payload: { ...good, [key]: 42 } }), 400, 'DS_ERR_INVALID_INPUT').error, new RegExp(`"${key}" must be string`), `${method} ${url}: ${key} of the wrong type`);
    }
  }
  const wrongTypes: Array<[string, unknown]> = [
    ['/api/v1/instances/demo/snapshot', { label: 'x', tags: { a: 1 } }],
    ['/api/v1/instances/demo/snapshot', { label: 'x', tags: 'a=b' }],
    ['/api/v1/instances/demo/revert', { label: 'golden', force: 'yes' }],
    ['/api/v1/instances', { name: 'x', workload_inline: { plugin: 7 } }],
    ['/api/v1/instances', { name: 'x', workload_inline: { plugin: 'fakewl', config: [1] } }],
    ['/api/v1/instances', { name: 'x', workload_inline: 'fakewl' }],
    ['/api/v1/instances', { name: 'x', workload_inline: { plugin: 'fakewl', extra: 1 } }],
  ];
  for (const [url, payload] of wrongTypes) envelope(t, await w.call({ method: 'POST', url, payload: payload as object }), 400, 'DS_ERR_INVALID_INPUT');
  envelope(t, await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/golden?force=maybe' }), 400, 'DS_ERR_INVALID_INPUT');
  envelope(t, await w.call({ method: 'DELETE', url: '/api/v1/instances/demo/snapshots/golden?who=me' }), 400, 'DS_ERR_INVALID_INPUT');

  const names: Array<[string, unknown, string]> = [
    ['/api/v1/instances', { name: '' }, 'instance name is required'],
    ['/api/v1/instances', {}, 'instance name is required'],
    ['/api/v1/instances', { name: 'Demo' }, 'invalid instance name "Demo": must match ^[a-z][a-z0-9-]{0,31}$'],
    ['/api/v1/instances', { name: '1abc' }, 'invalid instance name "1abc": must match ^[a-z][a-z0-9-]{0,31}$'],
    ['/api/v1/instances', { name: `a${'b'.repeat(32)}` }, `invalid instance name "a${'b'.repeat(32)}": must match ^[a-z][a-z0-9-]{0,31}$`],
    ['/api/v1/instances/demo/clone', { label: 'golden', new_name: 'Nope' }, 'invalid instance name "Nope": must match ^[a-z][a-z0-9-]{0,31}$'],
    ['/api/v1/instances/demo/clone', { label: 'golden' }, 'instance name is required'],
  ];
  for (const [url, payload, message] of names) t.equal(envelope(t, await w.call({ method: 'POST', url, payload: payload as object }), 400, 'DS_ERR_INVALID_NAME').error, message);
  for (const url of ['/api/v1/instances/demo/snapshot', '/api/v1/instances/demo/revert', '/api/v1/instances/demo/clone']) {
    t.equal(envelope(t, await w.call({ method: 'POST', url, payload: url.endsWith('clone') ? { new_name: 'x' } : {} }), 400, 'DS_ERR_INVALID_INPUT').error, 'label is required');
    t.match(envelope(t, await w.call({ method: 'POST', url, payload: { label: 'no spaces', ...(url.endsWith('clone') ? { new_name: 'x' } : {}) } }), 400, 'DS_ERR_INVALID_INPUT').error, /^invalid snapshot label "no spaces"/);
  }
  t.equal(await w.snapshotState(), before, 'the state did not change');
  t.same(json(t, await w.call({ url: '/api/v1/instances' }), 200).map((i: { name: string }) => i.name), ['demo']);
});
