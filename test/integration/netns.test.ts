import t, { type Test } from 'tap';
import { readFileSync, existsSync } from 'node:fs';
import { HostNetns } from '../../builtin-plugins/netns/host-netns.js';
import { netnsNames } from '../../builtin-plugins/netns/names.js';
import { createExec } from '../../kernel/exec.js';
import { silentLogger } from '../../kernel/logger.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { forceRemoveNetns, freeTestSubnet, hostSkip, linkExists, netnsList, sh, succeeds, taggedRules, tempDir } from '../helpers/host.js';

const skip = hostSkip(['ip', 'iptables', 'nsenter', 'busybox']);
const log = silentLogger();
const exec = createExec(log);
const hasDefaultRoute = /\bdev\s/.test(sh('ip', ['route', 'show', 'default']));
const RULES = hasDefaultRoute ? { nat: 1, filter: 2 } : { nat: 0, filter: 0 };

/** Everything the host shows of one instance's namespace. */
function hostView(instance: string) {
  const n = netnsNames(instance);
  return {
    netns: netnsList().includes(n.ns),
    hostVeth: linkExists(n.hostVeth),
    tempPeer: linkExists(n.tempPeer),
    nat: taggedRules('nat', n.comment).length,
    filter: taggedRules('filter', n.comment).length,
  };
}

const NOTHING = { netns: false, hostVeth: false, tempPeer: false, nat: 0, filter: 0 };

async function harness(t: Test) {
  const etc = await tempDir('etcnetns');
  const mgr = new HostNetns(exec, log, { etcNetnsDir: etc.path });
  const made: string[] = [];
  t.teardown(async () => {
    for (const instance of made) {
      await mgr.teardown({ instance }).catch(() => undefined);
      const n = netnsNames(instance);
      forceRemoveNetns(n.ns, [n.hostVeth, n.tempPeer], n.comment);
    }
    await etc.remove();
  });
  const spec = (suffix: string, slot: number) => {
    const instance = `${RUN_PREFIX}-${suffix}`;
    made.push(instance);
    return { instance, subnet: freeTestSubnet(slot) };
  };
  return { mgr, spec, etc: etc.path };
}

t.test('names: short names keep ve-<name>, long ones hash; temp peer fits IFNAMSIZ', async (t) => {
  t.same(netnsNames('demo'), { ns: 'ds-demo', hostVeth: 've-demo', tempPeer: 'vt-demo', comment: 'dockersnap-demo' });
  const long = netnsNames('a-very-long-instance-name');
  t.match(long.hostVeth, /^ve-[0-9a-f]{8}$/);
  t.equal(long.tempPeer, `vt-${long.hostVeth.slice(3)}`);
  t.equal(netnsNames('x'.repeat(12)).hostVeth, `ve-${'x'.repeat(12)}`, '15 chars is still plain');
  t.match(netnsNames('x'.repeat(13)).hostVeth, /^ve-[0-9a-f]{8}$/);
});

t.test('setup creates namespace, veth, rules and resolv.conf; the host reaches nsIp', { skip }, async (t) => {
  const { mgr, spec, etc } = await harness(t);
  const s = spec('n1', 0);
  const started = performance.now();
  const info = await mgr.setup(s);
  t.comment(`netns setup took ${(performance.now() - started).toFixed(0)} ms`);
  t.same(info, mgr.describe(s));
  t.same(hostView(s.instance), { netns: true, hostVeth: true, tempPeer: false, ...RULES });
  t.equal(readFileSync(`${etc}/${info.name}/resolv.conf`, 'utf8'), `nameserver ${info.hostIp}\n`);
  t.ok(await mgr.exists(s.instance));
  t.match(sh('ip', ['-n', info.name, '-o', '-4', 'addr', 'show', 'veth0']), ` ${info.nsIp}/30 `);
  t.match(sh('ip', ['-n', info.name, 'route', 'show', 'default']), `via ${info.hostIp}`);
  t.equal(sh('nsenter', [`--net=${info.path}`, 'cat', '/proc/sys/net/ipv4/conf/all/route_localnet']).trim(), '1');
  t.ok(succeeds('busybox', ['ping', '-c', '1', '-W', '2', info.nsIp]), `ping ${info.nsIp} from the host`);
  if (hasDefaultRoute) t.match(taggedRules('nat', `dockersnap-${s.instance}`)[0], `-s ${info.hostIp.replace(/\.1$/, '.0')}/30`);

  const t0 = performance.now();
  await mgr.teardown(s);
  t.comment(`netns teardown took ${(performance.now() - t0).toFixed(0)} ms`);
  t.same(hostView(s.instance), NOTHING);
  t.notOk(existsSync(`${etc}/${info.name}`), 'resolv dir removed');
  t.notOk(await mgr.exists(s.instance));
});

t.test('setup twice is idempotent, and replaces leftovers of a crashed run', { skip }, async (t) => {
  const { mgr, spec } = await harness(t);
  const s = spec('n2', 1);
  await mgr.setup(s);
  const info = await mgr.setup(s);
  t.same(hostView(s.instance), { netns: true, hostVeth: true, tempPeer: false, ...RULES }, 'one set of everything after two setups');
  t.ok(succeeds('busybox', ['ping', '-c', '1', '-W', '2', info.nsIp]));

  // A crash that left a bare namespace and a stray temp peer behind.
  await mgr.teardown(s);
  const n = netnsNames(s.instance);
  t.ok(succeeds('ip', ['netns', 'add', n.ns]));
  t.ok(succeeds('ip', ['link', 'add', n.tempPeer, 'type', 'bridge']));
  await mgr.setup(s);
  t.same(hostView(s.instance), { netns: true, hostVeth: true, tempPeer: false, ...RULES }, 'leftovers replaced');
  t.ok(succeeds('busybox', ['ping', '-c', '1', '-W', '2', info.nsIp]));
});

t.test('teardown matches the comment exactly: foo never removes foo-bar', { skip }, async (t) => {
  const { mgr, spec } = await harness(t);
  const foo = spec('fo', 2);
  const fooBar = spec('fo-bar', 3);
  await mgr.setup(foo);
  const barInfo = await mgr.setup(fooBar);
  t.not(netnsNames(fooBar.instance).hostVeth, netnsNames(foo.instance).hostVeth);
  await mgr.teardown(foo);
  t.same(hostView(foo.instance), NOTHING);
  t.same(hostView(fooBar.instance), { netns: true, hostVeth: true, tempPeer: false, ...RULES }, 'foo-bar untouched');
  t.ok(succeeds('busybox', ['ping', '-c', '1', '-W', '2', barInfo.nsIp]), 'foo-bar still reachable');
  await mgr.teardown(fooBar);
  t.same(hostView(fooBar.instance), NOTHING);
});

t.test('teardown of missing or partial pieces is fine', { skip }, async (t) => {
  const { mgr, spec } = await harness(t);
  const s = spec('n3', 4);
  await mgr.teardown(s);
  await mgr.teardown({ instance: s.instance });
  t.same(hostView(s.instance), NOTHING, 'nothing was there, nothing is there');

  // Only a tagged rule and the host veth survive (e.g. someone deleted the namespace by hand).
  const n = netnsNames(s.instance);
  t.ok(succeeds('ip', ['link', 'add', n.hostVeth, 'type', 'bridge']));
  t.ok(succeeds('iptables', ['-w', '5', '-A', 'FORWARD', '-i', n.hostVeth, '-j', 'ACCEPT', '-m', 'comment', '--comment', n.comment]));
  await mgr.teardown(s);
  t.same(hostView(s.instance), NOTHING, 'partial leftovers removed');
});

t.test('describe is pure and matches setup', async (t) => {
  const mgr = new HostNetns(exec, log);
  const info = mgr.describe({ instance: 'demo', subnet: '10.11.0.0/16' });
  t.same(info, { name: 'ds-demo', path: '/run/netns/ds-demo', hostVeth: 've-demo', hostIp: '10.11.0.1', nsIp: '10.11.0.2' });
});

t.test('the netns and dockerd plugins boot in a real kernel and provide their capabilities', { skip: hostSkip(['ip', 'iptables', 'nsenter', 'dockerd']) }, async (t) => {
  const { startTestKernel } = await import('../../plugin-sdk/testing/start-test-kernel.js');
  const { default: netnsPlugin } = await import('../../builtin-plugins/netns/index.js');
  const { default: dockerdPlugin } = await import('../../builtin-plugins/dockerd/index.js');
  const { netnsCapability, dockerdCapability } = await import('../../plugin-sdk/index.js');
  const { HostDockerd } = await import('../../builtin-plugins/dockerd/host-dockerd.js');
  const tk = await startTestKernel({ plugins: [netnsPlugin, dockerdPlugin] });
  t.teardown(() => tk.close());
  const status = Object.fromEntries(tk.kernel.plugins().map((p) => [p.id, p]));
  t.match(status.netns, { status: 'ok', provides: ['netns'] });
  t.match(status.dockerd, { status: 'ok', provides: ['dockerd'] });
  const lease = tk.kernel.acquire();
  t.teardown(() => lease.release());
  t.type(lease.capabilities.get(netnsCapability), HostNetns);
  const dockerd = lease.capabilities.get(dockerdCapability);
  t.type(dockerd, HostDockerd);
  t.equal(dockerd.socketPath('demo'), `${tk.settings.run_dir}/demo.sock`);
  t.equal((dockerd as InstanceType<typeof HostDockerd>).paths('demo').configFile, `${tk.settings.data_dir}/daemon-configs/demo.json`);
});
