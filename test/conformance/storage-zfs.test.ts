import t from 'tap';
import { runStorageConformance } from '../../plugin-sdk/testing/storage-conformance.js';
import { ensureZfs, makeZfsDriver, missingTools, mountpointHarness, stopOwnZfs } from '../helpers/pools.js';

const missing = await missingTools([['zfs', ['help']], ['zpool', ['help']]]);
if (missing.length > 0 && !process.env['CI']) {
  t.plan(0, `${missing.join(', ')} not installed`);
} else {
  t.same(missing, [], 'zfs tools are installed (required when CI is set)');
  t.teardown(stopOwnZfs);
  const problem = await ensureZfs();
  t.equal(problem, undefined, 'ZFS answers (zfs-fuse started if needed)');
  if (problem === undefined) {
    await runStorageConformance(t, 'zfs', async (t) => mountpointHarness(await makeZfsDriver(t)));
    await t.test('init() creates a nested dataset prefix; mountpoints come from ZFS', async (t) => {
      const d = await makeZfsDriver(t, { datasetPrefix: 'envs/dev' });
      t.same(await d.list(), []);
      const info = await d.create('demo');
      t.match(info, { dataset: /^dst[0-9a-z]{4}z\d+\/envs\/dev\/demo$/, mountpoint: /\/mnt\/envs\/dev\/demo$/ });
      t.same(await d.list(), ['demo']);
    });
  }
}
