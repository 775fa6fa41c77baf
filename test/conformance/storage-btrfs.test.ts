import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, rename, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BtrfsDriver } from '../../builtin-plugins/storage-btrfs/btrfs-driver.js';
import { runStorageConformance } from '../../plugin-sdk/testing/storage-conformance.js';
import { exec, makeBtrfsDriver, makeBtrfsExistingPathDriver, missingTools, mountpointHarness } from '../helpers/pools.js';

const missing = await missingTools([['btrfs', ['--version']], ['mkfs.btrfs', ['--version']], ['losetup', ['--version']]]);
if (missing.length > 0 && !process.env['CI']) {
  t.plan(0, `${missing.join(', ')} not installed`);
} else {
  t.same(missing, [], 'btrfs tools are installed (required when CI is set)');
  await runStorageConformance(t, 'btrfs', async (t) => mountpointHarness(await makeBtrfsDriver(t)));
  await runStorageConformance(t, 'btrfs existing_path below subvol=@data', async (t) => mountpointHarness(await makeBtrfsExistingPathDriver(t)));

  await t.test('init() undoes a revert interrupted before the swap', async (t) => {
    const d = await makeBtrfsDriver(t);
    const inst = join(d.describe('a').mountpoint, '..');
    await d.create('a');
    await writeFile(join(d.describe('a').mountpoint, 'f'), 'before');
    await d.snapshot('a', 's1');
    await exec('btrfs', ['subvolume', 'snapshot', join(inst, '..', 'snapshots', 'a', 's1'), join(inst, '.a.revert-00000001')]);
    await rename(join(inst, 'a'), join(inst, '.a.old-00000001'));
    await d.init();
    t.equal(await readFile(join(d.describe('a').mountpoint, 'f'), 'utf8'), 'before', 'the data from before the revert is back');
    t.same(await readdir(inst), ['a'], 'leftovers removed');
    t.same(await d.listSnapshots('a'), ['s1']);
  });

  await t.test('init() finishes a revert interrupted after the swap', async (t) => {
    const d = await makeBtrfsDriver(t);
    const inst = join(d.describe('a').mountpoint, '..');
    await d.create('a');
    await writeFile(join(d.describe('a').mountpoint, 'f'), 'after');
    await exec('btrfs', ['subvolume', 'create', join(inst, '.a.old-00000002')]);
    await d.init();
    t.equal(await readFile(join(d.describe('a').mountpoint, 'f'), 'utf8'), 'after');
    t.same(await readdir(inst), ['a']);
  });

  await t.test('existing_path must be on btrfs', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dstest-notbtrfs-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const d = new BtrfsDriver({ poolFile: '', poolSizeBytes: 0, mountpoint: '', existingPath: dir }, { exec });
    await t.rejects(d.init(), { code: 'DS_ERR_STORAGE', message: /is not on a btrfs filesystem/ });
  });
}
