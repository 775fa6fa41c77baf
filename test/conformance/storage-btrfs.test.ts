import t from 'tap';
import { runStorageConformance } from '../../plugin-sdk/testing/storage-conformance.js';
import { makeBtrfsDriver, missingTools, mountpointHarness } from '../helpers/pools.js';

const missing = await missingTools([['btrfs', ['--version']], ['mkfs.btrfs', ['--version']], ['losetup', ['--version']]]);
if (missing.length > 0 && !process.env['CI']) {
  t.plan(0, `${missing.join(', ')} not installed`);
} else {
  t.same(missing, [], 'btrfs tools are installed (required when CI is set)');
  await runStorageConformance(t, 'btrfs', async (t) => mountpointHarness(await makeBtrfsDriver(t)));
}
