import t from 'tap';
import { hostFor, resolveAccess, substituteTokens } from '../../kernel/lifecycle/access-tokens.js';
import type { AccessResponse } from '../../plugin-sdk/capabilities/workload.js';

const ports = [
  { description: 'kubernetes-api', host_port: 34567 },
  { description: 'container:3f2a9c1d7b44/5678/tcp', host_port: 40001 },
  { description: 'kubernetes-api', host_port: 1 },
];
const ctx = { host: '10.0.0.5', ports, socket: '/run/dockersnap/demo.sock', instance: 'demo' };

t.test('hostFor: proxy_bind, then the Host header without port, then 127.0.0.1', async (t) => {
  t.equal(hostFor('192.168.1.2', 'example.com:9847'), '192.168.1.2');
  t.equal(hostFor('0.0.0.0', 'example.com:9847'), 'example.com');
  t.equal(hostFor('', 'example.com'), 'example.com');
  t.equal(hostFor(undefined, '[::1]:9847'), '::1', 'IPv6 comes back without brackets');
  t.equal(hostFor('', '[fe80::1]'), 'fe80::1');
  t.equal(hostFor('', '::1'), '::1', 'a bare IPv6 address is kept whole');
  t.equal(hostFor('', ''), '127.0.0.1');
  t.equal(hostFor('0.0.0.0', undefined), '127.0.0.1');
  t.equal(hostFor('', ':9847'), '127.0.0.1');
});

t.test('tokens: HOST and PORT:<label>; unknown labels stay; one pass, no re-scan', async (t) => {
  const portOf = (l: string) => new Map([['api', 6443], ['a}b', 1]]).get(l);
  t.equal(substituteTokens('https://${HOST}:${PORT:api}/x ${HOST}', 'h', portOf), 'https://h:6443/x h');
  t.equal(substituteTokens('${PORT:nope} ${PORT:} ${PORT:a}b} $HOST {HOST} ${ACCESS_DIR}', 'h', portOf), '${PORT:nope} ${PORT:} ${PORT:a}b} $HOST {HOST} ${ACCESS_DIR}');
  t.equal(substituteTokens('${HOST}', '${PORT:api}', portOf), '${PORT:api}', 'replacement text is not re-scanned');
  t.equal(substituteTokens('${PORT:${HOST}}', 'h', portOf), '${PORT:${HOST}}', 'the label runs to the first }: "${HOST" is an unknown label, kept whole');
});

t.test('resolveAccess: env, file contents and endpoint urls; the kind response', async (t) => {
  const access: AccessResponse = {
    contract_version: '1',
    env: { KUBECONFIG: '${ACCESS_DIR}/kubeconfig', API: 'https://${HOST}:${PORT:kubernetes-api}', DOCKER_HOST: 'tcp://evil', DOCKERSNAP_INSTANCE: 'other' },
    files: [{ name: '${HOST}.conf', content: 'server: https://${HOST}:${PORT:kubernetes-api}\nx: ${PORT:missing}', mode: '${HOST}' }],
    endpoints: [
      { name: 'kubernetes-api', scheme: 'https', host_port_label: 'kubernetes-api', insecure: true, description: 'API ${HOST}', url: 'http://stale' },
      { name: 'echo', scheme: 'http', host_port_label: 'container:3f2a9c1d7b44/5678/tcp' },
      { name: 'noscheme', host_port_label: 'kubernetes-api' },
      { name: 'unknown-label', scheme: 'http', host_port_label: 'nope', url: 'http://${HOST}:${PORT:kubernetes-api}/ui' },
      { name: 'plain', url: 'tcp://${HOST}' },
      { name: 'nourl' },
    ],
  };
  const before = JSON.stringify(access);
  const out = resolveAccess(access, ctx);
  t.equal(JSON.stringify(access), before, 'the plugin response is not modified');
  t.same(out, {
    contract_version: '1',
    env: {
      API: 'https://10.0.0.5:34567',
      DOCKERSNAP_INSTANCE: 'demo',
      DOCKER_HOST: 'unix:///run/dockersnap/demo.sock',
      KUBECONFIG: '${ACCESS_DIR}/kubeconfig',
    },
    files: [{ name: '${HOST}.conf', content: 'server: https://10.0.0.5:34567\nx: ${PORT:missing}', mode: '${HOST}' }],
    endpoints: [
      { name: 'kubernetes-api', scheme: 'https', host_port_label: 'kubernetes-api', insecure: true, description: 'API ${HOST}', url: 'https://10.0.0.5:34567' },
      { name: 'echo', scheme: 'http', host_port_label: 'container:3f2a9c1d7b44/5678/tcp', url: 'http://10.0.0.5:40001' },
      { name: 'noscheme', host_port_label: 'kubernetes-api', url: 'https://10.0.0.5:34567' },
      { name: 'unknown-label', scheme: 'http', host_port_label: 'nope', url: 'http://10.0.0.5:34567/ui' },
      { name: 'plain', url: 'tcp://10.0.0.5' },
      { name: 'nourl' },
    ],
  });
  t.same(Object.keys(out.env!), ['API', 'DOCKERSNAP_INSTANCE', 'DOCKER_HOST', 'KUBECONFIG'], 'env keys sorted as Go marshals a map');
});

t.test('resolveAccess: empty arrays dropped, env always present, no contract_version when absent', async (t) => {
  t.same(resolveAccess({ files: [], endpoints: [] }, { ...ctx, ports: [] }), { env: { DOCKERSNAP_INSTANCE: 'demo', DOCKER_HOST: 'unix:///run/dockersnap/demo.sock' } });
  t.same(resolveAccess({ contract_version: '7' }, ctx), { contract_version: '7', env: { DOCKERSNAP_INSTANCE: 'demo', DOCKER_HOST: 'unix:///run/dockersnap/demo.sock' } });
});
