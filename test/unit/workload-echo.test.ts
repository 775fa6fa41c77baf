import t from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import echoPlugin from '../../builtin-plugins/workload-echo/index.js';
import type { EchoContainerState, EchoDockerApi, EchoRunSpec } from '../../builtin-plugins/workload-echo/docker-api.js';
import { EchoWorkload, DESCRIPTION } from '../../builtin-plugins/workload-echo/echo-driver.js';
import { DEFAULT_IMAGE, echoOptions, readEchoOptions } from '../../builtin-plugins/workload-echo/options.js';
import { BUSYBOX_ECHO_SCRIPT, echoRunSpec } from '../../builtin-plugins/workload-echo/run-spec.js';
import { replyText } from '../../builtin-plugins/workload-echo/http-probe.js';
import { closedPort } from '../helpers/daemon.js';
import { isDsError, workloadCapability, type ProgressEvent, type WorkloadInput } from '../../plugin-sdk/index.js';

/** A dockerd as the echo plugin sees it: containers, images, and failures to inject. */
class FakeEchoDocker implements EchoDockerApi {
  readonly containers = new Map<string, EchoContainerState & { spec: EchoRunSpec }>();
  readonly images = new Set<string>();
  readonly calls: string[] = [];
  pullError: Error | undefined;
  runError: Error | undefined;
  /** The namespace port Docker "picks" for the next published container port. */
  nextHostPort = 40000;
  private seq = 0;

  async listEcho(all: boolean) {
    this.calls.push(`list:${all}`);
    return [...this.containers.values()].filter((c) => c.spec.labels['dockersnap.plugin'] === 'echo' && (all || c.status === 'running')).map((c) => c.id).reverse();
  }
  async inspect(id: string) {
    const c = this.containers.get(id);
    return c ? { id: c.id, status: c.status, ports: c.ports } : undefined;
  }
  async hasImage(image: string) {
    return this.images.has(image);
  }
  async loadBusyboxImage(tag: string) {
    this.calls.push(`load:${tag}`);
    this.images.add(tag);
  }
  async pull(image: string) {
    this.calls.push(`pull:${image}`);
    if (this.pullError) throw this.pullError;
    this.images.add(image);
  }
  async run(spec: EchoRunSpec) {
    this.calls.push(`run:${spec.image}`);
    if (this.runError) throw this.runError;
    if (!this.images.has(spec.image)) throw new Error(`No such image: ${spec.image}`);
    this.seq += 1;
    const id = `${String(this.seq).padStart(4, '0')}${'ab'.repeat(30)}`;
    this.containers.set(id, { id, status: 'running', ports: { [`${spec.port}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: String(this.nextHostPort) }] }, spec });
    return id;
  }
  async remove(ids: readonly string[]) {
    this.calls.push(`rm:${ids.length}`);
    for (const id of ids) this.containers.delete(id);
  }
}

function input(config?: Record<string, unknown>, extra: Partial<WorkloadInput> = {}): WorkloadInput {
  return {
    contract_version: '1',
    instance_name: 'demo',
    instance: { name: 'demo', socket: '/run/fake.sock', subnet: '10.1.0.0/30', data_root: '/d', host_veth_ip: '10.1.0.1', ns_veth_ip: '127.0.0.1', netns_name: 'ds-demo', metallb_ip: '', created_at: '' },
    ...(config ? { plugin_config: config } : {}),
    ...extra,
  };
}

function setup() {
  const docker = new FakeEchoDocker();
  const sockets: string[] = [];
  const echo = new EchoWorkload(async (socket) => {
    sockets.push(socket);
    return docker;
  }, '9.9.9');
  const events: ProgressEvent[] = [];
  return { docker, echo, events, sockets, onProgress: (e: ProgressEvent) => events.push(e) };
}

async function server(t: Tap, body: string): Promise<number> {
  const s: Server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  return (s.address() as AddressInfo).port;
}
type Tap = typeof t;

t.test('schema: the reference metadata with the local default image', async (t) => {
  const { echo } = setup();
  const schema = await echo.schema();
  t.match(schema, { plugin_name: 'echo', plugin_version: '9.9.9', description: DESCRIPTION, supported_contract_versions: ['1'] });
  t.same(schema.config_options!.map((o) => [o.name, o.type, o.default]), [
    ['image', 'string', DEFAULT_IMAGE],
    ['text', 'string', 'hello from {{ instance_name }}'],
    ['port', 'int', 5678],
  ]);
  t.equal(DESCRIPTION, 'Run a simple HTTP echo container — useful for testing the plugin system');
});

t.test('options: schema defaults without plugin_config, templated; typed checks', async (t) => {
  t.same(echoOptions(input()), { image: DEFAULT_IMAGE, text: 'hello from demo', port: 5678 });
  t.same(echoOptions(input({ text: '{{ instance_name }} says hi', port: '8080', image: 'x/y:1' })), { image: 'x/y:1', text: 'demo says hi', port: 8080 });
  t.same(readEchoOptions(input({ port: 70000, text: 3 })).issues, ['config key "text": expected string, got number', 'config key "port": expected a port number 1-65535, got 70000']);
  t.throws(() => echoOptions(input({ port: 1.5 })), { code: 'DS_ERR_PLUGIN_CONFIG', message: /invalid plugin_config for "echo": \[config key "port".*--config/ });
  const { echo } = setup();
  t.same(await echo.validate(input({ port: 'http' })), { valid: false, errors: ['config key "port": expected a port number 1-65535, got "http"'] });
  t.same(await echo.validate(input({ text: 'x' })), { valid: true });
});

t.test('run spec: busybox script with text in the environment; other images get http-echo arguments', async (t) => {
  const labels = { 'dockersnap.plugin': 'echo', 'dockersnap.instance': 'demo' };
  t.same(echoRunSpec({ image: DEFAULT_IMAGE, text: "it's $HOME", port: 80 }, 'demo'), { image: DEFAULT_IMAGE, cmd: ['sh', '-c', BUSYBOX_ECHO_SCRIPT], env: ["ECHO_TEXT=it's $HOME", 'ECHO_PORT=80'], labels, port: 80 });
  t.same(echoRunSpec({ image: 'hashicorp/http-echo:latest', text: 'hi there', port: 5678 }, 'demo'), { image: 'hashicorp/http-echo:latest', cmd: ['-listen=:5678', '-text=hi there'], env: [], labels, port: 5678 });
  t.match(BUSYBOX_ECHO_SCRIPT, /trap 'exit 0' TERM; httpd -f .* & wait \$!$/, 'PID 1 traps TERM');
  t.equal(replyText('a\n'), 'a');
  t.equal(replyText('a\n\n'), 'a\n');
});

t.test('deploy: builds the busybox image once, runs the container, reports the reference steps', async (t) => {
  const { docker, echo, events, sockets, onProgress } = setup();
  await echo.deploy(input({ text: 'hi' }), { onProgress });
  t.same(sockets, ['/run/fake.sock'], 'talks to the instance socket');
  t.same(docker.calls, ['list:false', `load:${DEFAULT_IMAGE}`, `run:${DEFAULT_IMAGE}`]);
  t.same(events, [
    { step: 'checking_existing', status: 'running', message: 'Checking for existing echo container' },
    { step: 'checking_existing', status: 'done' },
    { step: 'pulling_image', status: 'running', message: `Loading ${DEFAULT_IMAGE} (built from the host's busybox, never pulled)` },
    { step: 'pulling_image', status: 'done' },
    { step: 'running_container', status: 'running', message: 'Starting echo on container port 5678' },
    { step: 'running_container', status: 'done' },
    { step: 'complete', status: 'done', message: 'echo container running, listening on container port 5678' },
  ]);
  const [c] = [...docker.containers.values()];
  t.same(c!.spec.env, ['ECHO_TEXT=hi', 'ECHO_PORT=5678']);

  events.length = 0;
  docker.calls.length = 0;
  await echo.deploy(input({ text: 'hi' }), { onProgress });
  t.same(docker.calls, ['list:false'], 'a running echo container is kept');
  t.same(events.at(-1), { step: 'complete', status: 'done', message: `echo container ${c!.id.slice(0, 12)} already running` });

  docker.containers.get(c!.id)!.status = 'exited';
  docker.calls.length = 0;
  await echo.deploy(input({ text: 'hi' }), { onProgress });
  t.same(docker.calls, ['list:false', `run:${DEFAULT_IMAGE}`], 'present image not rebuilt; a stopped one does not count as running');
});

t.test('deploy: another image is pulled; a failed pull only warns', async (t) => {
  const { docker, echo, events, onProgress } = setup();
  docker.pullError = new Error('Get "https://registry-1.docker.io/v2/": dial tcp: lookup failed\nmore');
  docker.images.add('local/echo:1');
  await echo.deploy(input({ image: 'local/echo:1' }), { onProgress });
  t.same(events.slice(2, 5), [
    { step: 'pulling_image', status: 'running', message: 'Pulling local/echo:1' },
    { step: 'pulling_image', status: 'running', message: 'pull failed (Get "https://registry-1.docker.io/v2/": dial tcp: lookup failed); continuing' },
    { step: 'pulling_image', status: 'done' },
  ]);
  t.same(docker.calls, ['list:false', 'pull:local/echo:1', 'run:local/echo:1']);
  t.notOk(events.some((e) => e.status === 'error'), 'no error event on a path that succeeds');
});

t.test('deploy: a failed run is an error event and DS_ERR_PLUGIN_FAILED', async (t) => {
  const { docker, echo, events, onProgress } = setup();
  docker.pullError = new Error('offline');
  const err = await echo.deploy(input({ image: 'nowhere/echo' }), { onProgress }).catch((e: unknown) => e);
  t.ok(isDsError(err) && err.code === 'DS_ERR_PLUGIN_FAILED', 'DsError');
  t.match((err as Error).message, /^docker run nowhere\/echo: No such image: nowhere\/echo$/);
  t.same(events.at(-1), { step: 'running_container', status: 'error', message: 'docker run nowhere/echo: No such image: nowhere/echo' });
  await t.rejects(echo.deploy(input({ port: 0 })), { code: 'DS_ERR_PLUGIN_CONFIG' }, 'bad options fail before touching docker');
});

t.test('teardown: removes every echo container, running or not', async (t) => {
  const { docker, echo, events, onProgress } = setup();
  await echo.teardown(input(), { onProgress });
  t.same(events, [
    { step: 'finding_containers', status: 'running', message: 'Finding echo containers' },
    { step: 'finding_containers', status: 'done' },
    { step: 'complete', status: 'done', message: 'no echo containers to remove' },
  ]);
  await echo.deploy(input());
  docker.containers.get([...docker.containers.keys()][0]!)!.status = 'exited';
  await echo.deploy(input());
  events.length = 0;
  await echo.teardown(input(), { onProgress });
  t.same(events.slice(2), [
    { step: 'removing_containers', status: 'running', message: 'Removing 2 echo container(s)' },
    { step: 'removing_containers', status: 'done' },
    { step: 'complete', status: 'done', message: 'removed 2 echo container(s)' },
  ]);
  t.equal(docker.containers.size, 0);
});

t.test('access: ECHO_URL and the endpoint once the configured port is forwarded', async (t) => {
  const { echo } = setup();
  t.same(await echo.access(input()), { contract_version: '1', env: {} }, 'not forwarded yet');
  const forwarded_ports = [
    { label: 'container:aaaaaaaaaaaa/80/tcp', container_port: 80, host_port: 80, protocol: 'tcp' },
    { label: 'container:bbbbbbbbbbbb/5678/tcp', container_port: 5678, host_port: 41000, protocol: 'tcp' },
  ];
  t.same(await echo.access(input(undefined, { forwarded_ports })), {
    contract_version: '1',
    env: { ECHO_URL: 'http://${HOST}:${PORT:container:bbbbbbbbbbbb/5678/tcp}' },
    endpoints: [{ name: 'echo', scheme: 'http', host_port_label: 'container:bbbbbbbbbbbb/5678/tcp', description: 'HTTP echo endpoint' }],
  });
  t.same((await echo.access(input({ port: 80 }, { forwarded_ports }))).env, { ECHO_URL: 'http://${HOST}:${PORT:container:aaaaaaaaaaaa/80/tcp}' });
});

t.test('describe: container state or missing, port, config, container id', async (t) => {
  const { echo } = setup();
  t.same(await echo.describe(input({ text: 'x' })), { workload_type: 'echo', status: 'missing', ports: [{ label: 'echo', container_port: 5678, protocol: 'tcp' }], config: { image: DEFAULT_IMAGE, text: 'x', port: 5678 } });
  await echo.deploy(input({ text: 'x' }));
  t.match(await echo.describe(input({ text: 'x' })), { status: 'running', details: { container_id: /^0001/ } });
});

t.test('health: lookup, state and an HTTP GET that must answer the configured text', async (t) => {
  const { docker, echo } = setup();
  t.same(await echo.health(input()), { contract_version: '1', healthy: false, checks: [{ name: 'container-lookup', ok: false, message: 'no echo container found' }] });

  docker.nextHostPort = await server(t, 'hello from demo\n');
  await echo.deploy(input());
  const id = [...docker.containers.keys()][0]!;
  const healthy = await echo.health(input());
  t.same(healthy, {
    contract_version: '1',
    healthy: true,
    checks: [
      { name: 'container-lookup', ok: true, message: `id ${id.slice(0, 12)}` },
      { name: 'container-state', ok: true, message: 'running' },
      { name: 'http', ok: true, message: `GET http://127.0.0.1:${docker.nextHostPort}/ answered the configured text` },
    ],
  });
  const wrong = await echo.health(input({ text: 'other' }));
  t.equal(wrong.healthy, false);
  t.same(wrong.checks![2], { name: 'http', ok: false, message: `GET http://127.0.0.1:${docker.nextHostPort}/ answered 200 "hello from demo", expected "other"` });

  docker.containers.get(id)!.ports = { '5678/tcp': [{ HostIp: '0.0.0.0', HostPort: String(await closedPort()) }] };
  const refused = await echo.health(input());
  t.match(refused.checks![2], { name: 'http', ok: false, message: /^GET http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/ });

  docker.containers.get(id)!.status = 'exited';
  t.same((await echo.health(input())).checks!.slice(1), [
    { name: 'container-state', ok: false, message: 'exited' },
    { name: 'http', ok: false, message: 'not probed: container is exited' },
  ]);
  docker.listEcho = async () => {
    throw new Error('connect ENOENT /run/fake.sock');
  };
  t.same(await echo.health(input()), { contract_version: '1', healthy: false, checks: [{ name: 'container-lookup', ok: false, message: 'connect ENOENT /run/fake.sock' }] });
});

t.test('plugin: provides the workload type "echo"', async (t) => {
  t.equal(echoPlugin.id, 'workload-echo');
  const provided: Array<{ ref: unknown; key?: string }> = [];
  await echoPlugin.setup({ provide: (ref: unknown, _impl: unknown, o?: { key?: string }) => provided.push({ ref, ...(o?.key ? { key: o.key } : {}) }) } as never);
  t.same(provided, [{ ref: workloadCapability, key: 'echo' }]);
});
