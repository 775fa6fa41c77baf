// Pure parts of the dockerd plugin (no root needed): daemon.json, /proc matching, mountinfo, watcher policy.
import t from 'tap';
import { buildDaemonJson, dockerdEnv, parseNameservers } from '../../builtin-plugins/dockerd/daemon-json.js';
import { mountsBelow, parseMountinfo, selfBindsAt } from '../../builtin-plugins/dockerd/mountinfo.js';
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

t.test('mountinfo: below-dir order and self-bind detection', async (t) => {
  const info = parseMountinfo([
    '27 1 254:0 / / rw - ext4 /dev/vda rw',
    '40 27 0:50 / /pool rw - zfs pool rw',
    '41 40 0:51 / /pool/inst/demo rw - zfs pool/inst/demo rw',
    '51 41 0:51 / /pool/inst/demo rw shared:3 - zfs pool/inst/demo rw',
    '52 27 254:0 /tmp/root /tmp/root rw - ext4 /dev/vda rw',
    '53 52 254:0 /tmp/root /tmp/root rw - ext4 /dev/vda rw',
    '55 51 0:60 / /pool/inst/demo/overlay2/abc/merged rw - overlay overlay rw',
    '56 41 0:61 / /pool/inst/demo/volumes/child rw - zfs pool/inst/demo/volumes rw',
    '57 55 0:62 / /pool/inst/demo/overlay2/abc/merged/dev\\040x rw - tmpfs tmpfs rw',
  ].join('\n'));
  t.same(mountsBelow(info, '/pool/inst/demo').map((m) => m.mountPoint), ['/pool/inst/demo/overlay2/abc/merged/dev x', '/pool/inst/demo/overlay2/abc/merged', '/pool/inst/demo/volumes/child']);
  t.same(selfBindsAt(info, '/pool/inst/demo').map((m) => m.id), [51], 'the dataset mount itself is not a self-bind, the bind on top is');
  t.same(selfBindsAt(info, '/tmp/root').map((m) => m.id), [53, 52], 'stacked binds of a plain directory, topmost first');
  t.same(selfBindsAt(info, '/pool'), []);
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
