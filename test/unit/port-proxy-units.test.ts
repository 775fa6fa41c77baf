// Pure parts of the port-proxy plugin (no root, no dockerd): labels, the forward table,
// the sync plan, the DNAT rule, config schema and defaults, the log limiter, the task queue.
import t from 'tap';
import { isLoopbackHostIp, parseHostPort, portLabel, wantedForwards, type ContainerPorts } from '../../builtin-plugins/port-proxy/published-ports.js';
import { planSync, toInstancePorts, toPortMapping } from '../../builtin-plugins/port-proxy/forward-table.js';
import { dnatRule, DNAT_COMMENT } from '../../builtin-plugins/port-proxy/loopback-dnat.js';
import { resolveOptions, type PortProxyConfig } from '../../builtin-plugins/port-proxy/config.js';
import { LogLimiter } from '../../builtin-plugins/port-proxy/log-limiter.js';
import { InstanceEntry } from '../../builtin-plugins/port-proxy/instance-entry.js';
import portProxyPlugin from '../../builtin-plugins/port-proxy/index.js';
import { validatePluginConfig } from '../../kernel/plugins/plugin-config.js';
import { defaultConfig } from '../../kernel/config/defaults.js';
import { isDsError } from '../../plugin-sdk/index.js';

const ID = '3f2a9c1d7b44e0c1aa00bb11cc22dd33ee44ff5566778899aabbccddeeff0011';
const ID2 = 'aa11bb22cc33dd44ee55ff66778899aabbccddeeff00112233445566778899aa';

t.test('labels: kubernetes-api for in-container 6443, else container:<id12>/<port>/<proto>', async (t) => {
  t.equal(portLabel(ID, 6443, 'tcp'), 'kubernetes-api');
  t.equal(portLabel(ID, 5678, 'tcp'), 'container:3f2a9c1d7b44/5678/tcp');
  t.equal(portLabel('short', 80, 'tcp'), 'container:short/80/tcp');
});

t.test('host ports: non-empty, decimal, 1–65535', async (t) => {
  t.equal(parseHostPort('8080'), 8080);
  t.equal(parseHostPort(' 443 '), 443);
  for (const bad of [undefined, '', '0', '65536', '-1', '80a', '1e3', '8080-8090']) t.equal(parseHostPort(bad), undefined, JSON.stringify(bad));
});

t.test('loopback host IPs', async (t) => {
  for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) t.ok(isLoopbackHostIp(ip), ip);
  for (const ip of ['', undefined, '0.0.0.0', '::', '10.10.0.2']) t.notOk(isLoopbackHostIp(ip), String(ip));
});

t.test('wanted forwards: one per published TCP port, from NetworkSettings.Ports', async (t) => {
  const containers: ContainerPorts[] = [
    {
      id: ID,
      ports: {
        '6443/tcp': [{ HostIp: '0.0.0.0', HostPort: '34567' }, { HostIp: '::', HostPort: '34567' }],
        '5678/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }],
        '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
        '9000/tcp': null,
        '9001/tcp': [{ HostIp: '0.0.0.0', HostPort: '' }],
        '9002/tcp': [{ HostIp: '0.0.0.0', HostPort: '0' }],
        '9003': [{ HostPort: '40000' }],
      },
    },
    { id: ID2, ports: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '34567' }], '80/tcp': [{ HostIp: '', HostPort: '18080' }] } },
    { id: 'noports', ports: null },
    { id: 'undef', ports: undefined },
  ];
  t.same(wantedForwards(containers), [
    { port: 18080, inContainerPort: 80, label: `container:${ID2.slice(0, 12)}/80/tcp`, loopbackOnly: false },
    { port: 32768, inContainerPort: 5678, label: 'container:3f2a9c1d7b44/5678/tcp', loopbackOnly: true },
    { port: 34567, inContainerPort: 6443, label: 'kubernetes-api', loopbackOnly: false },
    { port: 40000, inContainerPort: 9003, label: 'container:3f2a9c1d7b44/9003/tcp', loopbackOnly: false },
  ], 'IPv4+IPv6 bindings of one port merge; UDP, unpublished, empty and zero host ports are skipped; the first publisher of a port names it; sorted by port');
  t.same(wantedForwards([]), []);
});

t.test('sync plan: add the new, remove the gone, relabel the changed, keep the rest', async (t) => {
  const current = new Map([
    [1000, { label: 'container:aaaaaaaaaaaa/80/tcp', inContainerPort: 80 }],
    [2000, { label: 'container:bbbbbbbbbbbb/80/tcp', inContainerPort: 80 }],
    [3000, { label: 'kubernetes-api', inContainerPort: 6443 }],
  ]);
  const wanted = [
    { port: 1000, inContainerPort: 80, label: 'container:aaaaaaaaaaaa/80/tcp', loopbackOnly: false },
    { port: 3000, inContainerPort: 8443, label: 'container:cccccccccccc/8443/tcp', loopbackOnly: false },
    { port: 4000, inContainerPort: 80, label: 'container:dddddddddddd/80/tcp', loopbackOnly: true },
  ];
  const plan = planSync(current, wanted);
  t.same(plan.add.map((w) => w.port), [4000]);
  t.same(plan.remove, [2000]);
  t.same(plan.relabel.map((w) => w.port), [3000]);
  t.same(planSync(new Map(), []), { add: [], remove: [], relabel: [] });
});

t.test('table: api-v1 PortMapping / InstancePorts', async (t) => {
  t.same(toPortMapping({ port: 34567, hostPort: 34567, inContainerPort: 6443, label: 'kubernetes-api' }), {
    host_port: 34567, container_port: 34567, in_container_port: 6443, protocol: 'tcp', description: 'kubernetes-api',
  });
  t.same(toPortMapping({ port: 32768, hostPort: 41003, inContainerPort: 5678, label: 'container:3f2a9c1d7b44/5678/tcp' }), {
    host_port: 41003, container_port: 32768, in_container_port: 5678, protocol: 'tcp', description: 'container:3f2a9c1d7b44/5678/tcp', requested_host_port: 32768,
  }, 'requested_host_port only after a collision');
  t.notOk('in_container_port' in toPortMapping({ port: 1, hostPort: 1, inContainerPort: 0, label: 'x' }), 'in_container_port omitted when 0');
  t.same(toInstancePorts('demo', '', []), { instance: 'demo', target_ip: '', ports: [] }, 'no forwards: ports: [] (not null)');
  const sorted = toInstancePorts('demo', '10.10.0.2', [
    { port: 3, hostPort: 300, inContainerPort: 3, label: 'c' },
    { port: 1, hostPort: 100, inContainerPort: 1, label: 'a' },
  ]);
  t.same(sorted.ports.map((p) => p.host_port), [100, 300], 'ordered by host port');
  t.equal(sorted.target_ip, '10.10.0.2');
});

t.test('the namespace DNAT rule for loopback-bound publishes', async (t) => {
  t.same(dnatRule('10.10.0.2', 32768), [
    'PREROUTING', '-d', '10.10.0.2/32', '-p', 'tcp', '-m', 'tcp', '--dport', '32768', '-m', 'comment', '--comment', DNAT_COMMENT, '-j', 'DNAT', '--to-destination', '127.0.0.1:32768',
  ]);
});

t.test('config: defaults, validation by the kernel, resolved options', async (t) => {
  const settings = defaultConfig();
  const config = (await validatePluginConfig(portProxyPlugin, settings)) as unknown as PortProxyConfig;
  t.same(config, { rescan_interval: '30s', event_debounce: '500ms', dial_timeout: '5s', scan_timeout: '10s', max_connections: 1024, loopback_dnat: true, nsenter_fallback: true });
  const all = { dnat: true, nsenter: true };
  t.same(resolveOptions(config, settings, all), {
    bind: '127.0.0.1', rescanIntervalMs: 30_000, eventDebounceMs: 500, dialTimeoutMs: 5000, scanTimeoutMs: 10_000, maxConnections: 1024, loopbackDnat: true, nsenterFallback: true,
  });
  t.equal(resolveOptions(config, { api: { ...settings.api, proxy_bind: '' } }, all).bind, '127.0.0.1', 'empty proxy_bind ⇒ 127.0.0.1');
  t.equal(resolveOptions(config, { api: { ...settings.api, proxy_bind: '0.0.0.0' } }, all).bind, '0.0.0.0');
  t.same(resolveOptions({ ...config, rescan_interval: '0s' }, settings, { dnat: false, nsenter: false }), { ...resolveOptions(config, settings, all), rescanIntervalMs: 0, loopbackDnat: false, nsenterFallback: false }, '0s turns the periodic rescan off; missing tools turn their paths off');
  const tuned = await validatePluginConfig(portProxyPlugin, { ...settings, plugins: { ...settings.plugins, config: { 'port-proxy': { rescan_interval: '1m30s', event_debounce: '0' } } } });
  t.match(tuned, { rescan_interval: '1m30s', event_debounce: '0', dial_timeout: '5s' });

  for (const bad of [{ rescan_interval: '30' }, { event_debounce: '-1s' }, { dial_timeout: 'soon' }, { max_connections: 0 }, { loopback_dnat: 'yes' }, { nosuch: 1 }]) {
    const err = await validatePluginConfig(portProxyPlugin, { ...settings, plugins: { ...settings.plugins, config: { 'port-proxy': bad } } }).catch((e: unknown) => e);
    t.ok(isDsError(err) && err.code === 'DS_ERR_PLUGIN_CONFIG', `${JSON.stringify(bad)} refused`);
    t.match(String((err as Error).message), 'plugins.config.port-proxy');
  }
});

t.test('log limiter: first through, then one per interval with the suppressed count', async (t) => {
  let now = 0;
  const limiter = new LogLimiter(1000, () => now);
  t.equal(limiter.take(), 0);
  now = 10;
  t.equal(limiter.take(), undefined);
  now = 500;
  t.equal(limiter.take(), undefined);
  now = 1000;
  t.equal(limiter.take(), 2, 'two were swallowed');
  now = 5000;
  t.equal(limiter.take(), 0);
});

t.test('instance entry: tasks run one at a time; a task queued behind a waiting one merges into it', async (t) => {
  const entry = new InstanceEntry('demo');
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = entry.enqueue(async () => {
    order.push('first:start');
    await gate;
    order.push('first:end');
  });
  await Promise.resolve(); // let the first task start
  const second = entry.enqueue(async () => void order.push('second'));
  const third = entry.enqueue(async () => void order.push('third'));
  t.equal(second, third, 'merged while waiting');
  release();
  await Promise.all([first, second, third]);
  t.same(order, ['first:start', 'first:end', 'second']);
  const failing = entry.enqueue(async () => {
    throw new Error('boom');
  });
  await t.rejects(failing, /boom/);
  await entry.enqueue(async () => void order.push('after failure'));
  t.equal(order.at(-1), 'after failure', 'a failed task does not block the queue');
  t.equal(entry.epoch, 0);
  t.same(entry.reset(), []);
  t.equal(entry.epoch, 1, 'reset bumps the epoch');
});
