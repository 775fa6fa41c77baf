// Pure parts of the netns plugin (no root needed): rule listing parse and exact comment match.
import t from 'tap';
import { commentOf, instanceRules, rulesWithComment, splitRuleLine } from '../../builtin-plugins/netns/iptables.js';

const LISTING = [
  '-P POSTROUTING ACCEPT',
  '-A POSTROUTING -s 10.11.0.0/30 -o eth0 -m comment --comment dockersnap-foo -j MASQUERADE',
  '-A POSTROUTING -s 10.12.0.0/30 -o eth0 -m comment --comment dockersnap-foo-bar -j MASQUERADE',
  '-A POSTROUTING -s 10.13.0.0/30 -o eth0 -m comment --comment "dockersnap-foo and more" -j MASQUERADE',
  '-A DOCKER -m comment --comment dockersnap-foo -j RETURN',
  '-A POSTROUTING -s 10.14.0.0/30 -j MASQUERADE',
].join('\n');

t.test('splitRuleLine keeps quoted values whole and unescapes them', async (t) => {
  t.same(splitRuleLine('-A X -m comment --comment "a \\"b\\" c" -j ACCEPT'), ['-A', 'X', '-m', 'comment', '--comment', 'a "b" c', '-j', 'ACCEPT']);
  t.same(splitRuleLine(''), []);
  t.equal(commentOf(['-j', 'ACCEPT']), undefined);
});

t.test('rulesWithComment matches exactly, across chains, only -A lines', async (t) => {
  const foo = rulesWithComment('nat', LISTING, 'dockersnap-foo');
  t.same(
    foo.map((r) => r.spec.slice(0, 3)),
    [
      ['POSTROUTING', '-s', '10.11.0.0/30'],
      ['DOCKER', '-m', 'comment'],
    ],
  );
  t.equal(rulesWithComment('nat', LISTING, 'dockersnap-foo-bar').length, 1);
  t.equal(rulesWithComment('nat', LISTING, 'dockersnap-fo').length, 0, 'no prefix match');
  t.equal(rulesWithComment('nat', LISTING, 'dockersnap-foo and more').length, 1);
});

t.test('instanceRules: MASQUERADE for the /30 and both FORWARD directions, all tagged', async (t) => {
  const rules = instanceRules({ network: '10.11.0.0/30', hostVeth: 've-demo', uplink: 'eth0', comment: 'dockersnap-demo' });
  t.same(
    rules.map((r) => r.table),
    ['nat', 'filter', 'filter'],
  );
  for (const rule of rules) t.equal(commentOf(rule.spec), 'dockersnap-demo');
  t.match(rules[0]!.spec.join(' '), 'POSTROUTING -s 10.11.0.0/30 -o eth0 -j MASQUERADE');
  t.match(rules[2]!.spec.join(' '), 'FORWARD -i eth0 -o ve-demo -m state --state RELATED,ESTABLISHED -j ACCEPT');
});
