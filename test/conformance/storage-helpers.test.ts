import t from 'tap';
import { DsError } from '../../kernel/errors.js';
import { btrfsError } from '../../builtin-plugins/storage-btrfs/btrfs-errors.js';
import { byCreation, parseSubvolumeList } from '../../builtin-plugins/storage-btrfs/btrfs-subvolumes.js';
import { resolveBtrfsOptions } from '../../builtin-plugins/storage-btrfs/config.js';
import { resolveZfsOptions } from '../../builtin-plugins/storage-zfs/config.js';
import { zfsError } from '../../builtin-plugins/storage-zfs/zfs-errors.js';
import { validateSnapshotLabel } from '../../plugin-sdk/index.js';

// Sizes, mountinfo and holder scans are SDK host helpers: test/unit/host-helpers.test.ts.

t.test('labels: the SDK check both drivers call', async (t) => {
  t.equal(validateSnapshotLabel('v1.2:rc-1_x'), 'v1.2:rc-1_x');
  t.throws(() => validateSnapshotLabel('../x'), { code: 'DS_ERR_INVALID_INPUT', message: /invalid snapshot label "\.\.\/x"/ });
});

t.test('btrfs subvolume list parsing and creation order', async (t) => {
  const rows = parseSubvolumeList([
    'ID 259 gen 10 cgen 10 top level 5 parent_uuid 8062f914-d6a2-714a-b64d-c55f31c4f14e uuid 39a3dbfd-1d11-e843-9478-33a3bb83853b path <FS_TREE>/snapshots/a/we ird',
    'ID 256 gen 8 cgen 8 top level 5 parent_uuid -                                    uuid 8062f914-d6a2-714a-b64d-c55f31c4f14e path instances/a',
    'ID 257 gen 9 cgen 8 top level 5 parent_uuid 8062f914-d6a2-714a-b64d-c55f31c4f14e uuid 6f4b810b-f00e-394d-bd64-212b7389e2e6 path snapshots/a/s1',
    'garbage',
  ].join('\n'));
  t.equal(rows.length, 3);
  t.equal(rows[0]!.path, 'snapshots/a/we ird');
  t.equal(rows[1]!.parentUuid, undefined);
  t.same([...rows].sort(byCreation).map((r) => r.id), [256, 257, 259], 'cgen, then id');
});

t.test('error mapping', async (t) => {
  const failed = (stderr: string): DsError => new DsError('DS_ERR_HOST_TOOL', `cmd: exited with 1: ${stderr}`, { details: { stderr, exitCode: 1 } });
  t.equal(zfsError('x', failed("cannot create 'p/i/a': dataset already exists")).code, 'DS_ERR_EXISTS');
  t.equal(zfsError('x', failed("cannot open 'p/i/a@s': dataset does not exist")).code, 'DS_ERR_NOT_FOUND');
  t.equal(zfsError('x', failed("cannot destroy 'p/i/a@s1': snapshot has dependent clones")).code, 'DS_ERR_CONFLICT');
  t.equal(zfsError('x', failed("cannot destroy 'p/i/a': dataset is busy")).code, 'DS_ERR_CONFLICT');
  t.equal(zfsError('x', failed("cannot create snapshot 'p/i/a@x': out of space")).code, 'DS_ERR_POOL_FULL');
  t.equal(zfsError('x', failed('something new')).code, 'DS_ERR_STORAGE');
  t.equal(btrfsError('x', failed("ERROR: cannot create subvolume: No space left on device")).code, 'DS_ERR_POOL_FULL');
  t.equal(btrfsError('x', failed('umount: /x: target is busy.')).code, 'DS_ERR_CONFLICT');
  const missing = new DsError('DS_ERR_HOST_TOOL', 'btrfs: not found', { details: { exitCode: -1 } });
  t.equal(btrfsError('x', missing), missing, 'a missing tool keeps its code');
  t.equal(btrfsError('x', Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' })).code, 'DS_ERR_POOL_FULL');
});

t.test('config defaults', async (t) => {
  t.same(resolveBtrfsOptions({ pool_size: '1G' }, { data_dir: '/var/lib/dockersnap' }), {
    poolFile: '/var/lib/dockersnap/pool.img', poolSizeBytes: 1024 ** 3, mountpoint: '/var/lib/dockersnap/btrfs', existingPath: undefined,
  });
  const zfs = { pool: 'tank', dataset_prefix: 'instances', arc_max_bytes: 0, start_zfs_fuse: false };
  t.equal(resolveZfsOptions(zfs, { onZfsFuse: true, runDir: '/run/x' }).dockerStorageDriver, 'fuse-overlayfs');
  t.equal(resolveZfsOptions(zfs, { onZfsFuse: false, runDir: '/run/x' }).dockerStorageDriver, 'overlay2');
  t.equal(resolveZfsOptions({ ...zfs, docker_storage_driver: 'vfs' }, { onZfsFuse: true, runDir: '/run/x' }).dockerStorageDriver, 'vfs');
  t.equal(resolveZfsOptions(zfs, { onZfsFuse: true, runDir: '/run/x' }).mountpointRoot, '/tank');
});
