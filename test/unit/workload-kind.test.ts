import t from 'tap';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createExec } from '../../kernel/exec.js';
import { silentLogger } from '../../kernel/logger.js';
import { KindCli, pickCluster, resolveBinary } from '../../builtin-plugins/workload-kind/kind-cli.js';
import { createArgs, KindWorkloadDriver } from '../../builtin-plugins/workload-kind/kind-driver.js';
import { rewriteKubeconfig, serverUrl } from '../../builtin-plugins/workload-kind/kubeconfig.js';
import { clusterConfigYaml, kindOptions, parsePortMapping, validateKindConfig } from '../../builtin-plugins/workload-kind/options.js';
import type { ProgressEvent, WorkloadInput } from '../../plugin-sdk/capabilities/workload.js';
import { DsError } from '../../kernel/errors.js';

const REAL_KIND_KUBECONFIG = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTi
    server: https://127.0.0.1:41234
  name: kind-demo
contexts:
- context:
    cluster: kind-demo
    user: kind-demo
  name: kind-demo
current-context: kind-demo
kind: Config
users:
- name: kind-demo
  user:
    client-certificate-data: LS0tLS1
    client-key-data: LS0tLS1
`;

t.test('kubeconfig rewrite: https server → daemon forward, CA data → insecure-skip-tls-verify', async (t) => {
  const r = rewriteKubeconfig(REAL_KIND_KUBECONFIG);
  t.equal(r.scheme, 'https');
  t.ok(r.rewritten);
  t.match(r.content, /^ {4}server: https:\/\/\$\{HOST\}:\$\{PORT:kubernetes-api\}$/m);
  t.match(r.content, /^ {4}insecure-skip-tls-verify: true$/m);
  t.notMatch(r.content, /certificate-authority-data|127\.0\.0\.1/);
  t.match(r.content, /client-key-data: LS0tLS1/, 'user credentials are kept');
});

t.test('kubeconfig rewrite keeps the plain http scheme of fake-kind, and leaves foreign servers alone', async (t) => {
  const http = rewriteKubeconfig('clusters:\n- cluster:\n    server: http://127.0.0.1:32768\n  name: kind-x\n');
  t.equal(http.scheme, 'http');
  t.equal(http.content, 'clusters:\n- cluster:\n    server: http://${HOST}:${PORT:kubernetes-api}\n  name: kind-x\n');
  const foreign = rewriteKubeconfig('    server: https://10.0.0.5:6443\n');
  t.notOk(foreign.rewritten);
  t.equal(foreign.content, '    server: https://10.0.0.5:6443\n');
  t.same(serverUrl('  server: https://[::1]:6443/x'), { scheme: 'https', host: '[::1]', port: 6443 });
  t.equal(serverUrl('no server here'), undefined);
});

t.test('cluster-name resolution: configured when listed, else the only cluster, else configured', async (t) => {
  t.equal(pickCluster('demo', ['a', 'demo']), 'demo');
  t.equal(pickCluster('clone', ['demo']), 'demo', 'a clone finds its source-named cluster');
  t.equal(pickCluster('demo', []), 'demo');
  t.equal(pickCluster('demo', ['a', 'b']), 'demo');
});

t.test('options: defaults, aliases, port mappings', async (t) => {
  t.same(kindOptions(undefined, 'inst'), { clusterName: 'inst', waitReady: true, waitTimeout: '120s', retries: 3, apiServerPort: 0, extraPortMappings: [] });
  const o = kindOptions({ cluster_name: 'c-{{ instance_name }}', retries: 0, kubernetes_version: 'v1.31.0', api_server_port: 6443, extra_port_mappings: ['8080:80', '127.0.0.1:0:53/udp'] }, 'inst');
  t.equal(o.clusterName, 'c-inst');
  t.equal(o.retries, 1, 'retries < 1 mean one attempt');
  t.equal(o.image, 'kindest/node:v1.31.0');
  t.same(o.extraPortMappings, [
    { containerPort: 80, hostPort: 8080, protocol: 'TCP' },
    { containerPort: 53, hostPort: 0, listenAddress: '127.0.0.1', protocol: 'UDP' },
  ]);
  t.equal(kindOptions({ node_image: 'my/node:1' }, 'i').image, 'my/node:1');
  t.same(parsePortMapping('[::1]:9000:9000/sctp'), { containerPort: 9000, hostPort: 9000, listenAddress: '::1', protocol: 'SCTP' });
  for (const bad of ['80', 'a:b', '1:0', '70000:80', '80:80/icmp']) t.throws(() => parsePortMapping(bad), /must look like/, bad);
  t.same(createArgs(o, '/tmp/c.yaml'), ['create', 'cluster', '--name', 'c-inst', '--config', '/tmp/c.yaml', '--wait', '120s', '--image', 'kindest/node:v1.31.0']);
  t.same(createArgs(kindOptions({ wait_ready: false }, 'i'), '/f'), ['create', 'cluster', '--name', 'i', '--config', '/f']);
});

t.test('generated cluster config YAML', async (t) => {
  t.same(parse(clusterConfigYaml(kindOptions({}, 'i'))), { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', networking: { apiServerAddress: '127.0.0.1' }, nodes: [{ role: 'control-plane' }] });
  const doc = parse(clusterConfigYaml(kindOptions({ api_server_port: 7443, extra_port_mappings: ['0.0.0.0:8080:80/tcp'] }, 'i')));
  t.same(doc.networking, { apiServerAddress: '127.0.0.1', apiServerPort: 7443 });
  t.same(doc.nodes, [{ role: 'control-plane', extraPortMappings: [{ containerPort: 80, hostPort: 8080, listenAddress: '0.0.0.0', protocol: 'TCP' }] }]);
});

t.test('validate: errors and warnings', async (t) => {
  t.same(validateKindConfig({ kubernetes_version: 'v1', kind_config: '/k.yaml' }, () => true), { errors: [], warnings: [] });
  t.same(validateKindConfig({}).warnings, ["kubernetes_version not specified; will use kind's default", 'kind_config not specified; using a generated single-node config']);
  const bad = validateKindConfig({ wait_timeout: '2x', api_server_port: 70000, extra_port_mappings: ['nope', 3], node_image: 'a', kubernetes_version: 'b', kind_config: '/missing' }, () => false);
  t.equal(bad.errors.length, 7, bad.errors.join('\n'));
  t.match(bad.errors.join('\n'), /wait_timeout "2x" is not a valid Go duration[\s\S]*api_server_port 70000[\s\S]*"nope"[\s\S]*3 must be a string[\s\S]*kind_config \/missing does not exist[\s\S]*only shape the generated[\s\S]*not both/);
});

/** A fake kind: logs every call; `create` fails while the fail counter is positive; the rest read files. */
function fakeKind(dir: string, failCreates: number, kubeconfig: string): string {
  const bin = join(dir, 'kind');
  writeFileSync(join(dir, 'fails'), String(failCreates));
  writeFileSync(join(dir, 'kubeconfig'), kubeconfig);
  writeFileSync(join(dir, 'clusters'), '');
  writeFileSync(
    bin,
    `#!/bin/bash
echo "$DOCKER_HOST $HTTP_PROXY $*" >> ${dir}/calls
case "$1 $2" in
  "create cluster")
    n=$(cat ${dir}/fails)
    if [ "$n" -gt 0 ]; then echo $((n-1)) > ${dir}/fails; echo "ERROR: boom $n" >&2; exit 1; fi
    echo "$4" > ${dir}/clusters; cp "$6" ${dir}/used-config ;;
  "delete cluster") : > ${dir}/clusters ;;
  "get clusters") cat ${dir}/clusters ;;
  "get nodes") [ -s ${dir}/clusters ] && echo "$(cat ${dir}/clusters)-control-plane" ;;
  "get kubeconfig") [ -s ${dir}/clusters ] || { echo "ERROR: could not locate any control plane nodes" >&2; exit 1; }; cat ${dir}/kubeconfig ;;
  *) echo "unknown" >&2; exit 1 ;;
esac
exit 0
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

function setup(t: Parameters<Parameters<typeof t.test>[1]>[0], failCreates: number, kubeconfig = 'clusters:\n- cluster:\n    server: http://127.0.0.1:1234\n') {
  const dir = mkdtempSync(join(tmpdir(), 'ds-kind-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = fakeKind(dir, failCreates, kubeconfig);
  const socket = join(dir, 'docker.sock');
  writeFileSync(socket, '');
  const cli = new KindCli(createExec(silentLogger()), bin, 10_000);
  const driver = new KindWorkloadDriver({ cli, retryDelayMs: 0, probeTimeoutMs: 2000, proxyBind: '', version: 'test' });
  const input: WorkloadInput = {
    contract_version: '1',
    instance_name: 'demo',
    instance: { name: 'demo', socket, subnet: '10.9.0.0/16', data_root: dir, host_veth_ip: '10.9.0.1', ns_veth_ip: '10.9.0.2', netns_name: 'ds-demo', metallb_ip: '', created_at: '' },
    env: { HTTP_PROXY: 'http://proxy:3128' },
    plugin_config: { cluster_name: 'demo', retries: 3, api_server_port: 7443 },
  };
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  return { dir, bin, driver, input, calls };
}

t.test('deploy retries: a failed create is deleted and retried, with events; the env reaches kind', async (t) => {
  const { dir, driver, input, calls } = setup(t, 2);
  const events: ProgressEvent[] = [];
  await driver.deploy(input, { onProgress: (e) => events.push(e) });
  const log = calls();
  t.equal(log.filter((l) => l.includes(' create cluster ')).length, 3, 'three create attempts');
  t.equal(log.filter((l) => l.includes(' delete cluster --name demo')).length, 2, 'a delete before each retry');
  t.match(log[0], new RegExp(`^unix://${input.instance.socket} http://proxy:3128 create cluster --name demo --config \\S+/cluster.yaml --wait 120s$`));
  t.match(events.map((e) => e.message ?? e.step), ['Checking kind and the instance docker socket', 'checking_prereqs', 'Creating kind cluster "demo"', 'Retry 2/3 after previous failure', 'Retry 3/3 after previous failure', 'kind cluster "demo" created', 'kind cluster "demo" created']);
  t.equal(events.at(-1)!.step, 'complete');
  t.match(parse(readFileSync(join(dir, 'used-config'), 'utf8')), { networking: { apiServerPort: 7443 } }, 'the generated config was passed');
});

t.test('deploy: every attempt failing is a DsError with kind stderr and an error event', async (t) => {
  const { driver, input, calls } = setup(t, 5);
  const events: ProgressEvent[] = [];
  const err = await driver.deploy({ ...input, plugin_config: { retries: 2 } }, { onProgress: (e) => events.push(e) }).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof DsError && err.code === 'DS_ERR_PLUGIN_FAILED', String(err));
  t.match((err as Error).message, /^kind create cluster: exit status 1 \(ERROR: boom 4\)$/);
  t.match(events.at(-1), { step: 'creating_cluster', status: 'error', message: /boom 4/ });
  t.equal(calls().filter((l) => l.includes(' create cluster ')).length, 2);
});

t.test('deploy refuses a missing kind binary or dockerd socket before running anything', async (t) => {
  const { driver, input } = setup(t, 0);
  await t.rejects(driver.deploy({ ...input, instance: { ...input.instance, socket: '/nonexistent.sock' } }), { code: 'DS_ERR_DOCKERD', message: /\/nonexistent\.sock does not exist/ });
  const cli = new KindCli(createExec(silentLogger()), '/nonexistent/kind', 1000);
  const noKind = new KindWorkloadDriver({ cli, retryDelayMs: 0, probeTimeoutMs: 1000, proxyBind: '', version: 't' });
  await t.rejects(noKind.deploy(input), { code: 'DS_ERR_HOST_TOOL', message: /kind binary "\/nonexistent\/kind" not found/ });
  t.equal(resolveBinary('definitely-not-a-kind-binary'), undefined);
  t.match(resolveBinary('sh'), /^\/.*\/sh$/, 'found on PATH');
});

async function readyzServer(t: Parameters<Parameters<typeof t.test>[1]>[0], body: () => string): Promise<number> {
  const server: Server = createServer((req, res) => {
    res.writeHead(req.url === '/readyz' ? 200 : 404).end(req.url === '/readyz' ? body() : 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as { port: number }).port;
}

t.test('health: /readyz through the kubernetes-api forward plus the node count; teardown; access; describe', async (t) => {
  const { driver, input } = setup(t, 0);
  let answer = 'ok';
  const port = await readyzServer(t, () => answer);
  const withPort = { ...input, forwarded_ports: [{ label: 'kubernetes-api', container_port: 6443, host_port: port, protocol: 'tcp' }] };

  t.match(await driver.health(withPort), { healthy: false, checks: [{ name: 'kubeconfig', ok: false, message: /could not locate/ }] }, 'no cluster yet');
  t.match(await driver.describe(withPort), { workload_type: 'kind', status: 'missing', details: { cluster: 'demo' } });
  await driver.deploy(input);
  t.same(await driver.health(withPort), { contract_version: '1', healthy: true, checks: [{ name: 'api-server', ok: true, message: 'ok' }, { name: 'nodes', ok: true, message: '1 node(s): demo-control-plane' }] });
  answer = 'readyz check failed';
  t.match(await driver.health(withPort), { healthy: false, checks: [{ name: 'api-server', ok: false, message: /HTTP 200 readyz check failed/ }, { ok: true }] });
  t.match(await driver.health(input), { healthy: false, checks: [{ name: 'api-server', ok: false, message: /no kubernetes-api forward/ }, { ok: true }] });
  t.match(await driver.describe(withPort), { status: 'ready', config: { cluster_name: 'demo', api_server_port: 7443 }, details: { cluster: 'demo', node_count: 1 } });

  const access = await driver.access(withPort);
  t.same(access.env, { KUBECONFIG: '${ACCESS_DIR}/kubeconfig' });
  t.same(access.files, [{ name: 'kubeconfig', content: 'clusters:\n- cluster:\n    server: http://${HOST}:${PORT:kubernetes-api}', mode: '0600' }]);
  t.match(access.endpoints, [{ name: 'kubernetes-api', scheme: 'http', host_port_label: 'kubernetes-api', insecure: true }]);

  const events: ProgressEvent[] = [];
  await driver.teardown(input, { onProgress: (e) => events.push(e) });
  t.match(events, [{ step: 'deleting_cluster', status: 'running' }, { step: 'complete', status: 'done', message: 'kind cluster "demo" deleted' }]);
  t.match(await driver.describe(withPort), { status: 'missing' });
});

t.test('schema lists the options; validate reports errors and warnings', async (t) => {
  const { driver, input } = setup(t, 0);
  const schema = await driver.schema();
  t.match(schema, { plugin_name: 'kind', supported_contract_versions: ['1'] });
  t.same(schema.config_options!.map((o) => o.name), ['cluster_name', 'kind_config', 'wait_ready', 'wait_timeout', 'retries', 'kubernetes_version', 'node_image', 'api_server_port', 'extra_port_mappings']);
  t.match(await driver.validate({ ...input, plugin_config: { wait_timeout: 'soon' } }), { valid: false, errors: [/wait_timeout "soon"/] });
  t.match(await driver.validate(input), { valid: true, warnings: [/kubernetes_version/, /kind_config/] });
});
