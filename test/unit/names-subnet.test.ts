import t from 'tap';
import { isValidInstanceName, validateInstanceName } from '../../kernel/names.js';
import { allocateSubnet, chooseSubnetIndex, indexToCidr, linkAddresses, metallbIp } from '../../kernel/subnet.js';

t.test('instance names: edges of ^[a-z][a-z0-9-]{0,31}$', async (t) => {
  for (const good of ['a', 'ab', 'a-1', 'x'.repeat(32), 'demo-dev', 'a--', 'z9']) t.equal(validateInstanceName(good), good, good);
  for (const bad of ['A', '1a', '-a', 'a_b', 'a.b', 'x'.repeat(33), 'é', 'a b', 'ab\n']) {
    t.throws(() => validateInstanceName(bad), { code: 'DS_ERR_INVALID_NAME', message: `invalid instance name ${JSON.stringify(bad)}: must match ^[a-z][a-z0-9-]{0,31}$` }, JSON.stringify(bad));
    t.notOk(isValidInstanceName(bad));
  }
  t.throws(() => validateInstanceName(''), { code: 'DS_ERR_INVALID_NAME', message: 'instance name is required' });
  t.throws(() => validateInstanceName(undefined), { code: 'DS_ERR_INVALID_NAME', message: 'instance name is required' });
  t.throws(() => validateInstanceName(42), { code: 'DS_ERR_INVALID_NAME' });
});

t.test('index choice: lowest free, freed indices reused, high-water fallback', async (t) => {
  t.equal(chooseSubnetIndex([], 7), 0);
  t.equal(chooseSubnetIndex([0, 1, 2], 3), 3);
  t.equal(chooseSubnetIndex([0, 2], 3), 1);
  t.equal(chooseSubnetIndex([1, 2], 3), 0);
  t.equal(chooseSubnetIndex([0, 1, 2, 3], 3), 3, 'fallback to next_subnet_index when all up to it are used');
});

t.test('index → CIDR with carry, per subnet size', async (t) => {
  const c16 = { baseOffset: '10.10.0.0', subnetSize: 16 };
  t.equal(indexToCidr(0, c16), '10.10.0.0/16');
  t.equal(indexToCidr(1, c16), '10.11.0.0/16');
  t.equal(indexToCidr(10, { baseOffset: '10.250.0.0', subnetSize: 16 }), '11.4.0.0/16');
  t.equal(indexToCidr(3, { baseOffset: '10.10.0.0', subnetSize: 24 }), '10.10.3.0/24');
  t.equal(indexToCidr(300, { baseOffset: '10.10.0.0', subnetSize: 24 }), '10.11.44.0/24');
  t.equal(indexToCidr(5, { baseOffset: '10.10.0.8', subnetSize: 29 }), '10.10.0.13/29');
  t.throws(() => indexToCidr(1, { baseOffset: '255.255.0.0', subnetSize: 16 }), {
    code: 'DS_ERR_SUBNET_EXHAUSTED',
    message: /^allocating subnet: subnet index 1 overflows past 255\.255 from base 255\.255\.0\.0\/16/,
  });
  t.throws(() => indexToCidr(-1, c16), { message: 'subnet index must be non-negative, got -1' });
  t.throws(() => indexToCidr(0, { baseOffset: '10.10.0', subnetSize: 16 }), { code: 'DS_ERR_CONFIG' });
});

t.test('metallb ip and the namespace link /30', async (t) => {
  t.equal(metallbIp('10.11.0.0/16', '10.10'), '10.11.10.10');
  t.throws(() => metallbIp('10.11.0.0/16', '10'), { code: 'DS_ERR_CONFIG' });
  t.same(linkAddresses('10.11.0.0/16'), { network: '10.11.0.0/30', hostIp: '10.11.0.1', nsIp: '10.11.0.2', prefix: 30 });
  t.same(linkAddresses('10.10.3.0/24').hostIp, '10.10.3.1', 'derived from the whole subnet, not two octets');
  const a = allocateSubnet([0], 1, { baseOffset: '10.10.0.0', subnetSize: 16, metallbHostOffset: '10.10' });
  t.same(a, { index: 1, cidr: '10.11.0.0/16', metallbIp: '10.11.10.10' });
});
