// The SDK's host helpers (plugin-sdk/host/), shared by the storage, dockerd and netns plugins.
// Pure parsers on fixed text; the /proc and fs parts on this process and a temp dir (no root needed).
import { chmodSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import {
  createSparseFile,
  isUnder,
  memoInit,
  missingTool,
  mountOf,
  mountsBelow,
  parseMountinfo,
  parseSize,
  pathHolders,
  readMounts,
  selfBindsAt,
} from '../../plugin-sdk/index.js';

t.test('sizes', async (t) => {
  t.equal(parseSize('20G'), 20 * 1024 ** 3);
  t.equal(parseSize('128M'), 128 * 1024 ** 2);
  t.equal(parseSize('1.5k'), 1536);
  t.equal(parseSize('4096'), 4096);
  t.equal(parseSize('2GiB'), 2 * 1024 ** 3);
  t.equal(parseSize('1.5'), 1, 'whole bytes, rounded down');
  for (const bad of ['', 'G', '-1G', '1X', '1 G B']) t.throws(() => parseSize(bad), { code: 'DS_ERR_CONFIG' }, JSON.stringify(bad));
});

t.test('mountinfo: fields, escapes, longest match, isUnder', async (t) => {
  const text = [
    '22 1 0:21 / / rw - ext4 /dev/vda rw',
    '47 22 0:43 /@data /srv/my\\040pool rw,relatime shared:7 master:1 - btrfs /dev/loop0 rw,subvolid=256,subvol=/@data',
    '48 47 0:44 / /srv/my\\040pool/instances/a/sub rw - tmpfs my\\040src rw',
    'garbage without the separator',
    '',
  ].join('\n');
  const mounts = parseMountinfo(text);
  t.equal(mounts.length, 3, 'malformed and empty lines are skipped');
  t.same(mounts[1], { id: 47, parent: 22, device: '0:43', root: '/@data', mountPoint: '/srv/my pool', fsType: 'btrfs', source: '/dev/loop0' }, 'optional fields skipped');
  t.equal(mountOf(mounts, '/srv/my pool/instances/a')?.fsType, 'btrfs');
  t.same(mountOf(mounts, '/srv/my pool/instances/a/sub/x'), { id: 48, parent: 47, device: '0:44', root: '/', mountPoint: '/srv/my pool/instances/a/sub', fsType: 'tmpfs', source: 'my src' }, 'the source is unescaped too');
  t.equal(mountOf(mounts, '/srv/other')?.fsType, 'ext4');
  t.equal(mountOf([], '/x'), undefined);
  t.ok(isUnder('/a/b', '/a'));
  t.ok(isUnder('/a', '/a'));
  t.ok(isUnder('/a/..b', '/a'), 'a name starting with two dots is below');
  t.notOk(isUnder('/ab', '/a'));
  t.notOk(isUnder('/', '/a'));
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
    '58 27 0:63 / /pool/inst/demo2 rw - zfs pool/inst/demo2 rw',
  ].join('\n'));
  const below = ['/pool/inst/demo/overlay2/abc/merged/dev x', '/pool/inst/demo/overlay2/abc/merged', '/pool/inst/demo/volumes/child'];
  t.same(mountsBelow(info, '/pool/inst/demo').map((m) => m.mountPoint), below, 'deepest first; not the dir itself, not a sibling sharing its prefix');
  t.same(mountsBelow(info, '/pool/inst/demo/').map((m) => m.mountPoint), below, 'a trailing slash changes nothing');
  t.same(mountsBelow(info, '/pool/inst').map((m) => m.id), [57, 55, 56, 58, 51, 41], 'same depth: most recent first, so stacked mounts on one path unmount top down');
  t.same(selfBindsAt(info, '/pool/inst/demo').map((m) => m.id), [51], 'the dataset mount itself is not a self-bind, the bind on top is');
  t.same(selfBindsAt(info, '/tmp/root').map((m) => m.id), [53, 52], 'stacked binds of a plain directory, topmost first');
  t.same(selfBindsAt(info, '/pool'), []);
});

t.test('readMounts: this process sees its root mount', async (t) => {
  const mounts = await readMounts();
  t.ok(mounts.some((m) => m.mountPoint === '/'), 'a mount on /');
  t.ok(mounts.every((m) => Number.isInteger(m.id) && m.fsType !== ''), 'every entry parsed');
  t.same(await readMounts(process.pid), mounts, 'by pid: the same namespace');
  await t.rejects(readMounts(2 ** 30), { code: 'ENOENT' }, 'no such process');
});

t.test('pathHolders: open files below the dir, nothing elsewhere', async (t) => {
  const dir = realpathSync(t.testdir({ held: 'x', free: 'y', sub: { deeper: 'z' } }));
  t.same(await pathHolders(join(dir, 'sub')), [], 'nothing holds an unopened dir');
  const handle = await open(join(dir, 'held'), 'r');
  t.teardown(() => handle.close());
  const holders = await pathHolders(dir);
  t.ok(holders.includes(`pid ${process.pid} fd/${handle.fd} ${join(dir, 'held')}`), `this process's fd is listed: ${holders.join('; ')}`);
  t.same(await pathHolders(join(dir, 'sub')), [], 'a sibling of the open file is not held');
  t.same(await pathHolders(join(dir, 'free')), [], 'nor is another file');
  const second = await open(join(dir, 'sub', 'deeper'), 'r');
  t.teardown(() => second.close());
  t.equal((await pathHolders(dir, { limit: 1 })).length, 1, 'limit stops the scan');
  t.ok((await pathHolders(dir)).length >= 2, 'both open files are listed without a limit');
});

t.test('pathHolders: mounts below the dir count unless ignored', async (t) => {
  const proc = await pathHolders('/proc', { limit: 100 });
  t.ok(proc.some((h) => h.startsWith('mount /proc (proc ')), `the proc mount holds /proc: ${proc.slice(0, 3).join('; ')}`);
  const ignored = await pathHolders('/proc', { limit: 100, ignoreMount: (m) => isUnder(m.mountPoint, '/proc') });
  t.notOk(ignored.some((h) => h.startsWith('mount ')), 'ignored mounts are not listed');
});

t.test('missingTool: PATH first, then the usual (s)bin dirs', async (t) => {
  const dir = t.testdir({ 'ds-tool-x': '#!/bin/sh\n', 'ds-tool-y': 'not executable\n' });
  chmodSync(join(dir, 'ds-tool-x'), 0o755);
  chmodSync(join(dir, 'ds-tool-y'), 0o644);
  t.equal(missingTool(['ds-tool-x'], dir), undefined);
  t.equal(missingTool(['ds-tool-x', 'ds-tool-y'], dir), 'ds-tool-y', 'a file without x bits is missing');
  t.equal(missingTool(['ds-tool-x'], `/nonexistent:${dir}`), undefined, 'every PATH entry is searched');
  t.equal(missingTool(['ds-tool-x'], ''), 'ds-tool-x', 'not on an empty PATH');
  t.equal(missingTool(['sh'], ''), undefined, 'found in /bin or /usr/bin with an empty PATH');
  t.equal(missingTool([], ''), undefined);
});

t.test('createSparseFile: sparse, 0600, directories made, never overwrites', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'a', 'b', 'pool.img');
  await createSparseFile(file, 64 * 1024 ** 2);
  const st = statSync(file);
  t.equal(st.size, 64 * 1024 ** 2);
  t.ok(st.blocks * 512 < 1024 ** 2, `sparse (${st.blocks} blocks allocated)`);
  t.equal(st.mode & 0o777, 0o600);
  writeFileSync(file, 'data');
  await t.rejects(createSparseFile(file, 1024), { code: 'EEXIST' });
  t.equal(statSync(file).size, 4, 'the existing file is untouched');
});

t.test('memoInit: shared runs, retry after failure, explicit re-run', async (t) => {
  let calls = 0;
  let fail = true;
  const gates: Array<() => void> = [];
  const init = memoInit(async () => {
    const run = ++calls;
    const failing = fail;
    await new Promise<void>((resolve) => gates.push(resolve));
    if (failing) throw new Error(`failed run ${run}`);
  });
  t.equal(calls, 0, 'creating it runs nothing');
  const a = init.ready();
  const b = init.ready();
  t.equal(calls, 1, 'concurrent callers share one run');
  gates.shift()!();
  await t.rejects(a, /failed run 1/);
  await t.rejects(b, /failed run 1/, 'the joiner gets the same error');
  fail = false;
  const c = init.ready();
  t.equal(calls, 2, 'a failed run is forgotten: ready() retries');
  gates.shift()!();
  await c;
  await init.ready();
  t.equal(calls, 2, 'after success ready() runs nothing');
  const d = init.run();
  t.equal(calls, 3, 'run() always runs again');
  gates.shift()!();
  await d;

  fail = true;
  const stale = init.run();
  fail = false;
  const fresh = init.run();
  t.equal(calls, 5);
  gates.shift()!();
  await t.rejects(stale);
  gates.shift()!();
  await fresh;
  const e = init.ready();
  t.equal(calls, 5, 'a failing older run does not forget a newer one');
  await e;
});
