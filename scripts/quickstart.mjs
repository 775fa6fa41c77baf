#!/usr/bin/env node
// `npm run quickstart`: on a fresh Debian machine, as root — installs what is missing, builds,
// starts `dockersnap serve` in the background (on the config's default embedded pool, a loopback
// btrfs file under data_dir) and drives it with the real CLI through create → container →
// snapshot → change → revert → clone → delete, printing every command. Then it stops the daemon
// it started (by pid). The pool stays mounted as the user's embedded pool; `--remove-pool`
// unmounts it and deletes its image. `--keep` leaves the instances and the daemon running.
// A daemon already answering on api.listen is used as is and left running.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin', 'dockersnap.js');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const removePool = args.includes('--remove-pool');
const name = args.find((a) => a.startsWith('--name='))?.slice(7) ?? 'quickstart';
const cloneName = `${name}-clone`;
const APT = { dockerd: 'docker.io', docker: 'docker.io', 'mkfs.btrfs': 'btrfs-progs', btrfs: 'btrfs-progs', zfs: 'zfs-fuse', 'fuse-overlayfs': 'fuse-overlayfs', iptables: 'iptables', ip: 'iproute2', socat: 'socat', nsenter: 'util-linux' };
const IMAGE = 'dockersnap/busybox:quickstart';
// Writes /www/f only on the first start, so a revert shows the snapshot's copy, not a rewrite.
const WEB = "mkdir -p /www; [ -f /www/f ] || echo v1 > /www/f; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait $!";

let stepNo = 0;
const t0 = Date.now();
const summary = [];
function step(text) {
  stepNo += 1;
  console.log(`\n[${stepNo}] ${text}`);
}
const info = (text) => console.log(`    ${text}`);
class QuickstartError extends Error {}
/** The demo's instances exist already (e.g. an earlier `--keep`): nothing is touched, the daemon left as found. */
class ClashError extends QuickstartError {}
const fail = (text) => {
  throw new QuickstartError(text);
};
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);

/** Polls `fn` until it returns a truthy value; fails with `what` after `ms`. */
async function waitFor(what, fn, ms = 60_000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  return fail(`${what} did not happen within ${ms / 1000}s${last ? `: ${last.message}` : ''}`);
}

function pidAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The daemon

let cliEnv = { ...process.env };
let serve; // { pid, ours, url, log }

async function health(url) {
  try {
    const res = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

/** Uses a daemon already answering on api.listen, or starts `dockersnap serve` detached. */
async function startServe(settings) {
  const [host, port] = [settings.api.listen.slice(0, settings.api.listen.lastIndexOf(':')), settings.api.listen.slice(settings.api.listen.lastIndexOf(':') + 1)];
  const url = `http://${host === '' || host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const pidFile = join(settings.run_dir, 'quickstart-serve.pid');
  const log = join(settings.data_dir, 'quickstart-serve.log');
  cliEnv = { ...process.env, DOCKERSNAP_REMOTE: url, ...(settings.api.token ? { DOCKERSNAP_TOKEN: settings.api.token } : {}) };
  const earlier = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
  if (await health(url)) {
    const ours = earlier > 0 && pidAlive(earlier) && readFileSync(`/proc/${earlier}/cmdline`, 'utf8').includes('serve');
    info(ours ? `a dockersnap serve an earlier quickstart started (pid ${earlier}) answers at ${url}: using it, and stopping it at the end` : `a daemon already answers at ${url}: using it (it stays running)`);
    return { pid: ours ? earlier : undefined, ours, url, log, pidFile };
  }
  mkdirSync(settings.run_dir, { recursive: true });
  mkdirSync(settings.data_dir, { recursive: true });
  const fd = openSync(log, 'a');
  console.log(`    $ dockersnap serve >>${log} 2>&1 &`);
  const child = spawn(process.execPath, [BIN, 'serve'], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  const started = { pid: child.pid, ours: true, url, log, pidFile };
  serve = started;
  info(`pid ${child.pid} (recorded in ${pidFile}), log ${log}`);
  const h = await waitFor(`${url}/api/v1/health answering (see ${log})`, async () => {
    if (!pidAlive(child.pid)) fail(`dockersnap serve exited at start; last lines of ${log}:\n${tail(log)}`);
    return health(url);
  }, 180_000);
  info(`GET ${url}/api/v1/health → ${JSON.stringify(h)}`);
  return started;
}

function tail(file, n = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).map((l) => `      ${l}`).join('\n');
  } catch {
    return '      (no log)';
  }
}

/** SIGTERM to the daemon we started, waiting for it to exit (SIGKILL after 60 s). */
async function stopServe() {
  if (!serve?.ours || !serve.pid || serve.stopped) return;
  serve.stopped = true;
  console.log(`    $ kill ${serve.pid}   # dockersnap serve`);
  if (pidAlive(serve.pid)) process.kill(serve.pid, 'SIGTERM');
  const end = Date.now() + 60_000;
  while (pidAlive(serve.pid) && Date.now() < end) await sleep(100);
  if (pidAlive(serve.pid)) {
    info('still running after 60 s: SIGKILL');
    process.kill(serve.pid, 'SIGKILL');
  }
  rmSync(serve.pidFile, { force: true });
  info('dockersnap serve stopped');
}

// ---------------------------------------------------------------------------------------------
// The CLI

/** Runs `dockersnap <argv>` (printing it), streaming its output indented. Fails on a non-zero exit. */
function cli(argv, { show = true, json = false } = {}) {
  if (show) console.log(`    $ dockersnap ${argv.map(quote).join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const echo = (chunk) => {
      if (show && !json) for (const line of chunk.toString().split('\n')) if (line.trim() !== '') console.log(`      ${line}`);
    };
    child.stdout.on('data', (c) => {
      out += c;
      echo(c);
    });
    child.stderr.on('data', (c) => {
      err += c;
      echo(c);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(json ? JSON.parse(out) : out) : reject(new QuickstartError(`dockersnap ${argv.join(' ')} exited ${code}: ${err.trim() || out.trim()}`))));
  });
}

/** GET /f of the instance's web container through the port proxy: { port, value } once it answers `expected` (any value when omitted). */
async function web(instance, expected) {
  let last;
  return waitFor(`${instance}'s web container answering${expected ? ` ${expected}` : ''} through the port proxy (last: ${JSON.stringify(last)})`, async () => {
    const { ports } = await cli(['ports', instance, '-o', 'json'], { show: false, json: true });
    const fwd = ports.find((p) => p.in_container_port === 8080);
    if (!fwd) return undefined;
    const res = await fetch(`http://127.0.0.1:${fwd.host_port}/f`, { signal: AbortSignal.timeout(2000) });
    last = res.ok ? (await res.text()).trim() : `HTTP ${res.status}`;
    return (expected === undefined || last === expected) && { port: fwd.host_port, value: last };
  });
}

// ---------------------------------------------------------------------------------------------
// The run

/** Instances this run created (or began to create): the only ones its clean-up deletes. */
const created = [];

async function demo() {
  const existing = await cli(['list', '-o', 'json'], { show: false, json: true });
  const clash = existing.filter((i) => i.name === name || i.name === cloneName).map((i) => i.name);
  if (clash.length > 0) {
    const them = clash.length > 1 ? 'instances exist already: delete them' : 'instance exists already: delete it';
    throw new ClashError(`the ${them} (dockersnap delete ${clash.join(' ')}) or pass --name=<other>`);
  }

  step(`Create instance "${name}" (own dataset, network namespace and dockerd)`);
  created.push(name);
  await cli(['create', name]);
  const st = await cli(['status', name, '-o', 'json'], { json: true });
  info(`subnet ${st.subnet}, docker socket ${st.socket}`);

  step('Load a busybox image built locally (no registry needed) and run a web container');
  const { busyboxArchive } = await import(pathToFileURL(join(root, 'dist/plugin-sdk/host/images.js')).href);
  const tmp = mkdtempSync(join(tmpdir(), 'dockersnap-quickstart-'));
  try {
    writeFileSync(join(tmp, 'busybox.tar'), await busyboxArchive(IMAGE));
    await cli(['docker', name, '--', 'load', '-i', join(tmp, 'busybox.tar')]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  await cli(['docker', name, '--', 'run', '-d', '--name', 'web', '-p', '8080:8080', IMAGE, 'sh', '-c', WEB]);
  await cli(['ports', name]);
  const first = await web(name, 'v1');
  info(`curl http://127.0.0.1:${first.port}/f → ${first.value}`);
  summary.push(`container published 8080 → host port ${first.port} answers ${first.value}`);

  step('Snapshot "before-change"');
  await cli(['snapshot', name, 'before-change']);

  step('Change the data');
  await cli(['docker', name, '--', 'exec', 'web', 'sh', '-c', 'echo v2 > /www/f']);
  const changed = await web(name, 'v2');
  info(`curl http://127.0.0.1:${changed.port}/f → ${changed.value}`);

  step('Revert to "before-change"');
  await cli(['revert', name, 'before-change']);
  const back = await web(name, 'v1');
  info(`curl http://127.0.0.1:${back.port}/f → ${back.value}   (the snapshot brought v1 back)`);
  summary.push(`snapshot → change to v2 → revert: v1 again, on host port ${back.port}`);

  step(`Clone "${name}@before-change" → "${cloneName}"`);
  created.push(cloneName);
  await cli(['clone', name, 'before-change', cloneName]);
  await cli(['ports', cloneName]);
  const cl = await web(cloneName, 'v1');
  const src = await web(name, 'v1');
  info(`clone:  curl http://127.0.0.1:${cl.port}/f → ${cl.value}`);
  info(`source: curl http://127.0.0.1:${src.port}/f → ${src.value}   (both answer, each on its own port)`);
  if (cl.port === src.port) fail(`the clone and its source share host port ${cl.port}`);
  summary.push(`clone answers v1 on its own host port ${cl.port}, next to its source`);
  await cli(['list']);
}

async function cleanUp() {
  const left = (await cli(['list', '-o', 'json'], { show: false, json: true }).catch(() => [])).map((i) => i.name);
  for (const n of [...created].reverse().filter((x) => left.includes(x))) {
    await cli(['delete', n]).catch((err) => info(`✗ ${err.message}`));
  }
  const still = (await cli(['list', '-o', 'json'], { show: false, json: true }).catch(() => [])).filter((i) => created.includes(i.name));
  if (still.length > 0) throw new QuickstartError(`could not delete ${still.map((i) => i.name).join(', ')}`);
}

function removeThePool(settings) {
  const img = settings.btrfs?.pool ?? join(settings.data_dir, 'pool.img');
  const mnt = settings.btrfs?.mountpoint ?? join(settings.data_dir, 'btrfs');
  const mounted = readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === mnt);
  if (mounted) execFileSync('umount', [mnt]);
  for (const line of execFileSync('losetup', ['-j', img], { encoding: 'utf8' }).split('\n')) if (line.startsWith('/dev/')) execFileSync('losetup', ['-d', line.split(':')[0]]);
  rmSync(img, { force: true });
  info(`unmounted ${mnt} and removed ${img}`);
}

async function main() {
  // Ctrl-C reaches the running CLI child too (same process group), which fails the current
  // step; the clean-up below still runs. A second Ctrl-C exits at once.
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('\ninterrupted: cleaning up (Ctrl-C again to exit at once, leaving things behind)');
  });
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

  const { loadConfig } = await import(pathToFileURL(join(root, 'dist/kernel/config/load.js')).href);
  const settings = await loadConfig();

  step('Start the daemon (dockersnap serve, REST API v1)');
  serve = await startServe(settings);

  let failed;
  try {
    await demo().catch((err) => {
      failed = err;
    });
  } finally {
    if (failed instanceof ClashError) {
      if (serve.ours) info(`the daemon stays running (pid ${serve.pid}) so you can delete them; stop it with: kill $(cat ${serve.pidFile})`);
    } else if (keep && !failed) {
      step('Leaving both instances and the daemon running');
      info(`eval $(dockersnap use ${name}); docker ps   ·   delete later with: dockersnap delete ${cloneName} ${name}`);
      if (serve.ours) info(`stop the daemon with: kill $(cat ${serve.pidFile})`);
    } else {
      step('Clean up');
      await cleanUp().catch((err) => (failed ??= err));
      await stopServe();
      if (removePool && serve.ours && !failed && settings.capabilities.storage === 'storage-btrfs' && !settings.btrfs?.existing_path) removeThePool(settings);
      else info(`the pool stays mounted for your own instances${settings.btrfs?.existing_path ? '' : ` (to remove it: umount ${settings.btrfs?.mountpoint ?? join(settings.data_dir, 'btrfs')} && rm ${settings.btrfs?.pool ?? join(settings.data_dir, 'pool.img')}; --remove-pool does that at the end of a run)`}`);
    }
  }
  if (failed) throw failed;
  console.log('\nSummary');
  for (const s of summary) console.log(`  ✓ ${s}`);
  console.log(`\nquickstart done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

main().catch(async (err) => {
  console.error(`\nquickstart failed: ${err instanceof QuickstartError ? err.message : err.stack}`);
  if (serve?.ours && !keep && !(err instanceof ClashError)) await stopServe().catch(() => undefined);
  if (serve?.log) console.error(`(daemon log: ${serve.log})`);
  process.exit(1);
});
