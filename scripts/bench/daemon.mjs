// Benchmarks of issue 5: a real `dockersnap serve` with 20 real instances (20 dockerds, each in
// its own namespace) on a temp btrfs pool — `dockersnap list` start-up against it, throughput of
// `GET /api/v1/instances` (autocannon, keep-alive), and the RSS of the idle daemon. Because the
// host is shared, two context rows: a bare fastify answering the same body (this host's ceiling
// right now) and the daemon's CPU time per request. Everything is made in a temp dir (subnets
// 10.251.N.0/24) and deleted at the end, failed or not. BENCH_DAEMON_INSTANCES, _SECONDS and
// _PROF (a dir for the daemon's V8 CPU profile) tune it.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { snapshotHostResources } from '../host-resources.mjs';
import { Skip } from './runtime-env.mjs';
import { pairedMedians, row } from './util.mjs';

const INSTANCES = Number(process.env.BENCH_DAEMON_INSTANCES ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const DURATION_S = Number(process.env.BENCH_DAEMON_SECONDS ?? 10);
const note = (text) => process.stderr.write(`bench:   ${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** CPU time (user + system) the process used so far, in ms. */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
};
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const rssMiB = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const alive = (pid) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const sh = (file, args) => {
  try {
    return { ok: true, out: execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    return { ok: false, out: String(err.stderr ?? err.message) };
  }
};

/** Pids of processes whose command line mentions `dir` (dockerds and their shims of a failed delete). */
function processesIn(dir) {
  const pids = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(dir)) pids.push(Number(e));
    } catch { /* gone */ }
  }
  return pids;
}

/** Unmounts everything below `dir` (deepest first, lazily if busy), detaches loops of its files, removes it. */
function cleanupDir(dir) {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)));
  for (const m of mounts.sort((a, b) => b.length - a.length)) if (!sh('umount', [m]).ok) sh('umount', ['-l', m]);
  for (const line of sh('losetup', ['-a']).out.split('\n')) if (line.includes(`(${dir}/`)) sh('losetup', ['-d', line.split(':')[0]]);
  rmSync(dir, { recursive: true, force: true });
}

/** Starts serve on a temp config; resolves once /api/v1/health answers. */
async function startServe(root, dir, port) {
  const config = join(dir, 'config.yaml');
  writeFileSync(config, [
    `api: {listen: "127.0.0.1:${port}"}`,
    `state_file: ${join(dir, 'state.json')}`,
    `run_dir: ${join(dir, 'run')}`,
    `data_dir: ${join(dir, 'data')}`,
    'network: {base_offset: 10.251.0.0, subnet_size: 24}',
    'btrfs: {pool_size: 8G}',
    'log_level: warn',
    `plugins: {dir: ${join(dir, 'plugins')}, cache_dir: ${join(dir, 'plugin-cache')}, disabled: [storage-zfs], hook_timeout: 120s, config: {netns: {etc_netns_dir: ${join(dir, 'etc-netns')}}}}`,
    '',
  ].join('\n'));
  const log = openSync(join(dir, 'serve.log'), 'a');
  // BENCH_DAEMON_PROF=<dir>: the daemon writes a V8 CPU profile there when it exits.
  const prof = process.env.BENCH_DAEMON_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_DAEMON_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, join(root, 'bin/dockersnap.js'), 'serve', '--config', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`dockersnap serve exited ${child.exitCode}: ${readFileSync(join(dir, 'serve.log'), 'utf8').slice(-500)}`);
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) return { child, url };
    } catch { /* not yet */ }
    await sleep(100);
  }
  child.kill('SIGTERM');
  throw new Error(`dockersnap serve did not answer within 120 s (log: ${join(dir, 'serve.log')})`);
}

/**
 * The ceiling of this host right now: a bare fastify in its own process answering the same
 * body from memory, loaded the same way. Resolves to its req/s.
 */
async function baselineRps(root, body) {
  const port = await freePort();
  const script = `
    const app = (await import('fastify')).default();
    const body = ${JSON.stringify(body)};
    app.get('/', async (req, reply) => reply.type('application/json').send(body));
    await app.listen({ host: '127.0.0.1', port: ${port} });
    console.log('ready');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve, reject) => {
      child.stdout.once('data', resolve);
      child.once('exit', (code) => reject(new Error(`baseline server exited ${code}`)));
    });
    const r = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 10, pipelining: 1, duration: DURATION_S });
    return r.requests.average;
  } finally {
    child.kill('SIGTERM');
  }
}

/** Runs `fn` over `items`, `n` at a time; rejects with the first failure after all settled. */
async function pool(items, n, fn) {
  const queue = [...items];
  const errors = [];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item).catch((err) => errors.push(err));
  }));
  if (errors.length > 0) throw errors[0];
}

/** The daemon section: see the file comment. */
export async function benchDaemon(root) {
  if (process.getuid?.() !== 0) throw new Skip('needs root (real dockerds, namespaces, a btrfs pool)');
  const { createClient } = await import(pathToFileURL(join(root, 'dist/plugin-sdk/client/index.js')).href);
  const before = snapshotHostResources();
  const dir = mkdtempSync(join(tmpdir(), 'dstest-bench-daemon-'));
  const names = Array.from({ length: INSTANCES }, (_, i) => `benchd${process.pid % 1000}-${i}`);
  let serve;
  let client;
  const rows = [];
  try {
    serve = await startServe(root, dir, await freePort());
    client = createClient({ remote: serve.url, env: {}, owner: '' });
    note(`creating ${INSTANCES} instances through the API (2 at a time)…`);
    const t0 = performance.now();
    await pool(names, 2, (n) => client.create(n));
    note(`  ${INSTANCES} instances in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const listed = await client.list();
    if (listed.filter((i) => i.status === 'running').length !== INSTANCES) throw new Error(`expected ${INSTANCES} running instances, the daemon lists ${listed.map((i) => `${i.name}:${i.status}`).join(', ')}`);

    const idle = rssMiB(serve.child.pid);
    const env = { DOCKERSNAP_REMOTE: serve.url };
    const bin = join(root, 'bin/dockersnap.js');
    const [bare, list] = pairedMedians([
      { file: process.execPath, args: ['-e', '0'] },
      { file: process.execPath, args: [bin, 'list'], env },
    ], RUNS);
    rows.push(row('node -e 0', bare, 'ms'));
    rows.push(row(`dockersnap list (cold, daemon with ${INSTANCES} instances)`, list, `ms (${(list / bare).toFixed(2)}× node)`, '≤ 2.5× node', list / bare <= 2.5));

    const cpu0 = cpuMs(serve.child.pid);
    const result = await autocannon({ url: `${serve.url}/api/v1/instances`, connections: 10, pipelining: 1, duration: DURATION_S });
    const cpu = cpuMs(serve.child.pid) - cpu0;
    const bad = result.non2xx + result.errors + result.timeouts;
    if (bad > 0) throw new Error(`GET /api/v1/instances: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
    const rps = result.requests.average;
    rows.push(row(`GET /api/v1/instances, ${INSTANCES} instances (autocannon, 10 conns, ${DURATION_S}s)`, rps, `req/s (p99 ${result.latency.p99} ms)`, '≥ 5,000 req/s', rps >= 5000));
    // On a shared host the daemon gets a fraction of a core: its CPU time per request says
    // what one core of its own would serve, whatever the neighbours do.
    const perReq = (cpu / result.requests.total) * 1000;
    const body = await (await fetch(`${serve.url}/api/v1/instances`)).text();
    const base = await baselineRps(root, body);
    rows.push(row(`  baseline: bare fastify, same ${(body.length / 1024).toFixed(1)} KiB body from memory`, base, `req/s (the daemon reaches ${((rps / base) * 100).toFixed(0)}% of it)`));
    rows.push(row('  daemon CPU per request (→ req/s on one free core)', perReq, `µs (→ ${Math.round(1e6 / perReq)} req/s; daemon used ${((cpu / (DURATION_S * 1000)) * 100).toFixed(0)}% of a core)`));
    rows.push(row(`daemon RSS, idle, ${INSTANCES} instances`, idle, 'MiB'));
    rows.push(row('  (after the load run)', rssMiB(serve.child.pid), 'MiB'));
    return rows;
  } finally {
    rows.push(...(await teardown({ dir, names, serve, client, before })));
  }
}

/** Deletes every instance through the API, stops serve, releases the pool and the dir; a row says what was left. */
async function teardown({ dir, names, serve, client, before }) {
  const problems = [];
  if (client) {
    const left = (await client.list().catch(() => [])).map((i) => i.name).filter((n) => names.includes(n));
    if (left.length > 0) note(`deleting ${left.length} instances…`);
    await pool(left, 2, (n) => client.delete(n)).catch((err) => problems.push(`delete: ${err.message.split('\n')[0]}`));
  }
  if (serve && alive(serve.child.pid)) {
    serve.child.kill('SIGTERM');
    const end = Date.now() + 60_000;
    while (alive(serve.child.pid) && Date.now() < end) await sleep(100);
    if (alive(serve.child.pid)) {
      serve.child.kill('SIGKILL');
      problems.push('serve did not exit within 60 s of SIGTERM');
    }
  }
  const strays = processesIn(dir);
  if (strays.length > 0) {
    problems.push(`killed ${strays.length} processes a failed delete left running`);
    for (const pid of strays) sh('kill', ['-9', String(pid)]);
  }
  cleanupDir(dir);
  const leaked = snapshotHostResources().filter((item) => !before.includes(item) && (item.includes(dir) || item.includes('benchd')));
  problems.push(...leaked);
  return [row('daemon: left behind after cleanup', problems.length === 0 ? 'nothing' : problems.join('; '), '', 'nothing', problems.length === 0)];
}
