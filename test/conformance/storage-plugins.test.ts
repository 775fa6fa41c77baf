// The two storage plugins booted by a real kernel: config, skip reasons, no pool at setup.
// Missing tools are simulated with a PATH of shell-script fakes; a loaded ZFS module or a
// listening zfs-fuse with scratch files standing in for /sys/module/zfs and its socket.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import btrfsPlugin from '../../builtin-plugins/storage-btrfs/index.js';
import zfsPlugin, { createZfsPlugin, ZFS_HOST_PATHS } from '../../builtin-plugins/storage-zfs/index.js';
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

/** A zfs plugin that sees no ZFS module, and a zfs-fuse socket only when `fuseRunning`. */
function zfsOnHost(t: Test, fuseRunning: boolean): AnyPluginDefinition {
  const dir = mkdtempSync(join(tmpdir(), 'dstest-zfshost-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fuseSocket = join(dir, 'zfs_socket');
  if (fuseRunning) writeFileSync(fuseSocket, '');
  return createZfsPlugin({ module: join(dir, 'no-module'), fuseSocket });
}

t.test('storage-zfs: setup looks at the real module and socket paths by default', async (t) => {
  t.same(ZFS_HOST_PATHS, { module: '/sys/module/zfs', fuseSocket: '/var/run/zfs/zfs_socket' });
  t.equal(zfsPlugin.id, 'storage-zfs');
});

t.test('storage-zfs: skips without zfs, and when no ZFS can answer', async (t) => {
  const none = await boot(t, zfsPlugin, {}, fakeTools(t, {}));
  t.equal(none.status.status, 'skip');
  t.match(none.status.reason, /zfs not found/);
  const tools = fakeTools(t, { zfs: 'exit 0', zpool: 'exit 0' });
  const dead = await boot(t, zfsOnHost(t, false), {}, tools);
  t.equal(dead.status.status, 'skip');
  t.match(dead.status.reason, /no ZFS module or zfs-fuse daemon answers \(no .*no-module, no .*zfs_socket\); set zfs\.start_zfs_fuse/);
  const noFuse = await boot(t, zfsOnHost(t, false), { zfs: { start_zfs_fuse: true } }, tools);
  t.equal(noFuse.status.status, 'skip', 'start_zfs_fuse without zfs-fuse installed');
  t.match(noFuse.status.reason, /zfs-fuse is not installed either/);
  const willStart = await boot(t, zfsOnHost(t, false), { zfs: { start_zfs_fuse: true } }, fakeTools(t, { zfs: 'exit 0', zpool: 'exit 0', 'zfs-fuse': 'exit 0' }));
  t.equal(willStart.status.status, 'ok', 'init() may start zfs-fuse');
  t.equal(willStart.storage?.dockerStorageDriver, 'fuse-overlayfs');
});

t.test('storage-zfs: setup runs no zfs command; init() finds out that ZFS does not answer', async (t) => {
  const log = join(fakeTools(t, {}), 'calls');
  const silent = fakeTools(t, { zfs: `echo zfs >> ${log}; exit 2`, zpool: `echo zpool >> ${log}; echo "internal error: failed to initialize ZFS library" >&2; exit 1` });
  const saved = process.env['PATH'];
  t.teardown(() => void (process.env['PATH'] = saved));
  const { status, storage } = await boot(t, zfsOnHost(t, true), {}, silent);
  t.equal(status.status, 'ok', status.reason ?? '');
  t.notOk(existsSync(log), 'no zfs or zpool ran at setup');
  process.env['PATH'] = silent;
  await t.rejects(storage!.init(), { code: 'DS_ERR_STORAGE', message: /zfs does not answer: internal error: failed to initialize ZFS library/ });
});

t.test('storage-zfs: reads the original zfs: section', async (t) => {
  const answering = fakeTools(t, { zfs: 'exit 0', zpool: 'echo tank; exit 0' });
  const zfs = { pool: 'tank', dataset_prefix: 'envs', arc_max_bytes: 1073741824, docker_storage_driver: 'overlay2' };
  const { status, storage } = await boot(t, zfsOnHost(t, true), { zfs }, answering);
  t.equal(status.status, 'ok', status.reason ?? '');
  t.same(storage?.describe('demo'), { dataset: 'tank/envs/demo', mountpoint: '/tank/envs/demo' });
  t.equal(storage?.dockerStorageDriver, 'overlay2');
  const bad = await boot(t, zfsOnHost(t, true), { zfs: { ...zfs, bogus: 1 } }, answering);
  t.equal(bad.status.code, 'DS_ERR_PLUGIN_CONFIG');
});
