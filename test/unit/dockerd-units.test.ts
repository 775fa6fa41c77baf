// Pure parts of the dockerd plugin (no root needed): daemon.json, /proc matching, container lists, watcher policy.
// (Its mountinfo helpers are the SDK's: test/unit/host-helpers.test.ts.)
import t from 'tap';
import { buildDaemonJson, dockerdEnv, parseNameservers } from '../../builtin-plugins/dockerd/daemon-json.js';
import { dockerdPaths } from '../../builtin-plugins/dockerd/paths.js';
import { isDockerdFor } from '../../builtin-plugins/dockerd/proc.js';
import { nameList } from '../../builtin-plugins/dockerd/containers.js';
import { DockerdWatcher } from '../../builtin-plugins/dockerd/watcher.js';
import { silentLogger } from '../../kernel/logger.js';
import { waitFor } from '../helpers/host.js';

const docker = { dns: ['9.9.9.9', '10.0.0.1'], log_max_size: '20m', log_max_file: 4, proxy: { http: 'http://p:3128', https: '', no_proxy: 'localhost' } };

t.test('daemon.json follows instance-lifecycle §4, with log options from config', async (t) => {
  const paths = dockerdPaths({ runDir: '/run/dockersnap', configDir: '/var/lib/dockersnap/daemon-configs', logDir: '/var/lib/dockersnap/logs' }, 'demo');
  t.same(paths, {
    socket: '/run/dockersnap/demo.sock',
    pidFile: '/run/dockersnap/demo.pid',
    execRoot: '/run/dockersnap/exec/demo',
    configFile: '/var/lib/dockersnap/daemon-configs/demo.json',
    logFile: '/var/lib/dockersnap/logs/demo.log',
  });
  const netns = { name: 'ds-demo', path: '/run/netns/ds-demo', hostVeth: 've-demo', hostIp: '10.10.0.1', nsIp: '10.10.0.2' };
  const json = buildDaemonJson({ instance: 'demo', dataRoot: '/dockersnap/instances/demo', storageDriver: 'overlay2', netns }, paths, docker, ['10.0.0.1', '192.168.1.1']);
  t.same(json, {
    'data-root': '/dockersnap/instances/demo',
    'exec-root': '/run/dockersnap/exec/demo',
    pidfile: '/run/dockersnap/demo.pid',
    hosts: ['unix:///run/dockersnap/demo.sock'],
    'storage-driver': 'overlay2',
    'cgroup-parent': '/dockersnap-demo',
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
    dns: ['10.10.0.1', '9.9.9.9', '10.0.0.1', '192.168.1.1'],
    'log-driver': 'json-file',
    'log-opts': { 'max-file': '4', 'max-size': '20m' },
    iptables: true,
    'ip-masq': true,
    'live-restore': true,
    experimental: false,
  });
  t.same(parseNameservers('# x\nnameserver 127.0.0.53\nnameserver 1.1.1.1\nnameserver ::1\n  nameserver 2001:db8::1\noptions edns0\n'), ['1.1.1.1', '2001:db8::1']);
  t.same(dockerdEnv(docker.proxy, '/bin'), { PATH: '/bin', HTTP_PROXY: 'http://p:3128', http_proxy: 'http://p:3128', NO_PROXY: 'localhost', no_proxy: 'localhost' });
});

t.test('isDockerdFor: only dockerd with exactly this config file', async (t) => {
  const file = '/var/lib/dockersnap/daemon-configs/demo.json';
  t.ok(isDockerdFor(['dockerd', '--config-file', file], file));
  t.ok(isDockerdFor(['/usr/sbin/dockerd', `--config-file=${file}`], file));
  t.ok(isDockerdFor(['nsenter', '--net=/run/netns/ds-demo', 'dockerd', '--config-file', file], file), 'before nsenter has exec-ed');
  t.notOk(isDockerdFor(['dockerd', '--config-file', `${file}x`], file));
  t.notOk(isDockerdFor(['dockerd', '--config-file', file.replace('demo', 'demo2')], file));
  t.notOk(isDockerdFor(['vim', '--config-file', file], file));
  t.notOk(isDockerdFor([], file), 'a zombie has no argv');
});

t.test('nameList: a short list of names for messages', async (t) => {
  t.equal(nameList(['a', 'b', 'c'], 2), 'a, b and 1 more');
});

t.test('watcher: restarts with backoff, gives up after the budget, forget cancels', async (t) => {
  const alive = new Map<string, boolean>([['x', false], ['y', false]]);
  const restarts: string[] = [];
  const watcher = new DockerdWatcher(
    { intervalMs: 10, maxRestarts: 2, windowMs: 60_000, backoffMs: 5, maxBackoffMs: 20 },
    { alive: (i) => alive.get(i) ?? false, restart: async (i) => void restarts.push(i) },
    silentLogger(),
  );
  t.teardown(() => watcher.close());
  watcher.watch('x');
  const failed = await waitFor(() => (watcher.status('x')?.state === 'failed' ? watcher.status('x') : undefined), 'x to be given up');
  t.match(failed, { state: 'failed', restarts: 2, reason: /exited 3 times/ });
  t.same(restarts, ['x', 'x']);
  watcher.watch('x');
  t.match(watcher.status('x'), { state: 'watching' }, 'a new start resets the budget');
  await watcher.unwatch('x');
  watcher.watch('y');
  alive.set('y', true);
  watcher.poke('y');
  t.match(watcher.status('y'), { state: 'watching', restarts: 0 }, 'alive: nothing to do');
  alive.set('y', false);
  watcher.poke('y');
  t.match(watcher.status('y'), { state: 'restarting' });
  await watcher.forget('y');
  t.equal(watcher.status('y'), undefined);
});
