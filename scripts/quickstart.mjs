#!/usr/bin/env node
// `npm run quickstart`: on a fresh Debian machine, as root — installs what is missing, builds,
// creates the embedded default pool (a loopback btrfs file) and runs a real instance through
// create → snapshot → revert → clone, printing every step. `--keep` leaves the instances.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const name = args.find((a) => a.startsWith('--name='))?.slice(7) ?? 'quickstart';
const APT = { dockerd: 'docker.io', docker: 'docker.io', 'mkfs.btrfs': 'btrfs-progs', btrfs: 'btrfs-progs', zfs: 'zfs-fuse', 'fuse-overlayfs': 'fuse-overlayfs', iptables: 'iptables', ip: 'iproute2', socat: 'socat', nsenter: 'util-linux' };

let stepNo = 0;
const t0 = Date.now();
function step(text) {
  stepNo += 1;
  console.log(`\n[${stepNo}] ${text}`);
}
const info = (text) => console.log(`    ${text}`);
function fail(text) {
  console.error(`\nquickstart failed: ${text}`);
  process.exit(1);
}
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

async function waitFor(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`${what} did not happen within ${ms / 1000}s${last ? `: ${last.message}` : ''}`);
}

async function run(op) {
  for await (const e of op) if (e.status !== 'done' || e.step === 'complete') info(`${e.status === 'error' ? '✗' : e.step === 'complete' ? '✓' : '→'} ${e.message ?? e.step}`);
  return op.result;
}

if (process.getuid?.() !== 0) fail('dockersnap drives btrfs, network namespaces and dockerd: run it as root (sudo npm run quickstart)');

step('Host packages');
const missing = [...new Set(Object.entries(APT).filter(([bin]) => !has(bin)).map(([, pkg]) => pkg))];
if (!existsSync('/bin/busybox')) missing.push('busybox-static');
if (missing.length > 0) {
  info(`installing ${missing.join(' ')} …`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
} else info('all present');

step('Node dependencies and build');
if (!existsSync(join(root, 'node_modules'))) execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
info('built dist/');

const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { loadConfig } = await dist('kernel/config/load.js');
const { Kernel } = await dist('kernel/kernel.js');
const { createLogger } = await dist('kernel/logger.js');
const { linkAddresses } = await dist('kernel/subnet.js');
const { buildBusyboxImage, runTestContainer } = await dist('plugin-sdk/testing/images.js');
const { default: Docker } = await import('dockerode');

step('Kernel and plugins');
const settings = await loadConfig();
const kernel = await Kernel.start({ settings, log: createLogger({ level: process.env.DOCKERSNAP_LOG_LEVEL ?? 'warn' }) });
for (const p of kernel.plugins()) info(`${p.status.padEnd(5)} ${p.id}${p.reason ? ` — ${p.reason}` : ''}`);

try {
  step('Default storage pool');
  const pool = await kernel.instances.prepare();
  info(`${pool.backend} pool ready: ${(pool.sizeBytes / 2 ** 30).toFixed(1)} GiB, ${(pool.freeBytes / 2 ** 30).toFixed(1)} GiB free`);

  if ((await kernel.instances.list()).some((i) => i.name === name || i.name === `${name}-clone`)) {
    fail(`instances "${name}" or "${name}-clone" already exist; delete them or pass --name=<other>`);
  }

  step(`Create instance "${name}" (own dataset, network namespace and dockerd)`);
  const rec = await run(kernel.instances.create({ name }));
  const ip = linkAddresses(rec.subnet).nsIp;
  info(`subnet ${rec.subnet}, reachable from the host at ${ip}, docker socket ${rec.socket}`);

  step('Run a container that writes data (busybox image built locally, no pulls)');
  const docker = new Docker({ socketPath: rec.socket });
  await buildBusyboxImage(docker);
  await runTestContainer(docker, { name: 'web', port: 8080, value: 'v1' });
  const read = async (host, port = 8080) => (await (await fetch(`http://${host}:${port}/f`)).text()).trim();
  info(`http://${ip}:8080/f → ${await waitFor('the container answering', () => read(ip))}`);

  step('Snapshot "before-change"');
  await run(kernel.instances.snapshot(name, 'before-change'));

  step('Change the data');
  execFileSync('docker', ['-H', `unix://${rec.socket}`, 'exec', 'web', 'sh', '-c', 'echo v2 > /www/f']);
  info(`http://${ip}:8080/f → ${await read(ip)}`);

  step('Revert to "before-change"');
  await run(kernel.instances.revert(name, 'before-change'));
  const back = await waitFor('the container answering again', () => read(ip));
  info(`http://${ip}:8080/f → ${back}${back === 'v1' ? '   (the snapshot brought v1 back)' : ''}`);
  if (back !== 'v1') fail(`expected v1 after the revert, read ${back}`);

  step(`Clone "${name}@before-change" → "${name}-clone"`);
  const clone = await run(kernel.instances.clone(name, 'before-change', `${name}-clone`));
  const cip = linkAddresses(clone.subnet).nsIp;
  const cdocker = new Docker({ socketPath: clone.socket });
  const port = await waitFor('the clone container', async () => (await cdocker.getContainer('web').inspect()).NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort);
  info(`clone: subnet ${clone.subnet}, http://${cip}:${port}/f → ${await waitFor('the clone answering', () => read(cip, port))}`);
  info(`both running: ${(await kernel.instances.list()).map((i) => `${i.name} (${i.status})`).join(', ')}`);

  if (keep) {
    step('Leaving both instances running');
    info(`docker -H unix://${rec.socket} ps   ·   delete later with the lifecycle API or dockersnap delete`);
  } else {
    step('Clean up');
    await run(kernel.instances.delete(`${name}-clone`));
    await run(kernel.instances.delete(name));
    info('instances deleted; the pool stays for your own instances');
    if (pool.backend === 'btrfs') info(`(to remove it: umount ${settings.data_dir}/btrfs && rm ${settings.data_dir}/pool.img, unless btrfs: in the config says otherwise)`);
  }
} finally {
  await kernel.close();
}
console.log(`\nquickstart done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
