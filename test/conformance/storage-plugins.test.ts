// The two storage plugins booted by a real kernel: config, skip reasons, no pool at setup.
// Missing or silent tools are simulated with shell-script fakes on PATH.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import btrfsPlugin from '../../builtin-plugins/storage-btrfs/index.js';
import zfsPlugin from '../../builtin-plugins/storage-zfs/index.js';
import { storageCapability, type StorageDriver } from '../../plugin-sdk/capabilities/storage.js';
import type { AnyPluginDefinition } from '../../plugin-sdk/define-plugin.js';
import { startTestKernel } from '../../plugin-sdk/testing/start-test-kernel.js';

/** A PATH dir holding fake tools: name → shell body. */
function fakeTools(t: Test, tools: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dstest-tools-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, body] of Object.entries(tools)) writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

/** Boots a kernel with just `plugin`, optionally with PATH replaced; returns its status and storage. */
async function boot(t: Test, plugin: AnyPluginDefinition, settings: Record<string, unknown>, path?: string) {
  const saved = process.env['PATH'];
  if (path !== undefined) process.env['PATH'] = path;
  try {
    const k = await startTestKernel({ plugins: [plugin], settings });
    t.teardown(() => k.close());
    const status = k.kernel.plugins().find((p) => p.id === plugin.id)!;
    const lease = k.kernel.acquire();
    const found = lease.capabilities.resolveSingle(storageCapability);
    lease.release();
    return { status, storage: found.ok ? (found.impl as StorageDriver) : undefined, settings: k.settings };
  } finally {
    process.env['PATH'] = saved;
  }
}

t.test('storage-btrfs: paths default under data_dir and nothing is created at setup', async (t) => {
  const { status, storage, settings } = await boot(t, btrfsPlugin, { btrfs: { pool_size: '256M' } });
  t.equal(status.status, 'ok', status.reason ?? '');
  t.equal(storage?.kind, 'btrfs');
  t.equal(storage?.dockerStorageDriver, 'overlay2');
  t.equal(storage?.describe('demo').mountpoint, join(settings.data_dir, 'btrfs', 'instances', 'demo'));
  t.notOk(existsSync(join(settings.data_dir, 'pool.img')), 'no pool image before init()');
});

t.test('storage-btrfs: skips without btrfs-progs', async (t) => {
  const { status } = await boot(t, btrfsPlugin, {}, fakeTools(t, {}));
  t.equal(status.status, 'skip');
  t.match(status.reason, /btrfs and mkfs\.btrfs not found/);
});

t.test('storage-btrfs: bad config is an error, not a skip', async (t) => {
  const { status } = await boot(t, btrfsPlugin, { btrfs: { pool_size: 'huge' } });
  t.equal(status.status, 'error');
  t.equal(status.code, 'DS_ERR_PLUGIN_CONFIG');
});

t.test('storage-zfs: skips without zfs, and when no ZFS answers', async (t) => {
  const none = await boot(t, zfsPlugin, {}, fakeTools(t, {}));
  t.equal(none.status.status, 'skip');
  t.match(none.status.reason, /zfs not found/);
  const silent = fakeTools(t, { zfs: 'exit 2', zpool: 'echo "internal error: failed to initialize ZFS library" >&2; exit 1' });
  const dead = await boot(t, zfsPlugin, {}, silent);
  t.equal(dead.status.status, 'skip');
  t.match(dead.status.reason, /no ZFS module or zfs-fuse daemon answers \(internal error: failed to initialize ZFS library\); set zfs\.start_zfs_fuse/);
});

t.test('storage-zfs: reads the original zfs: section', async (t) => {
  const answering = fakeTools(t, { zfs: 'exit 0', zpool: 'echo tank; exit 0' });
  const zfs = { pool: 'tank', dataset_prefix: 'envs', arc_max_bytes: 1073741824, docker_storage_driver: 'overlay2' };
  const { status, storage } = await boot(t, zfsPlugin, { zfs }, answering);
  t.equal(status.status, 'ok', status.reason ?? '');
  t.same(storage?.describe('demo'), { dataset: 'tank/envs/demo', mountpoint: '/tank/envs/demo' });
  t.equal(storage?.dockerStorageDriver, 'overlay2');
  const bad = await boot(t, zfsPlugin, { zfs: { ...zfs, bogus: 1 } }, answering);
  t.equal(bad.status.code, 'DS_ERR_PLUGIN_CONFIG');
});
