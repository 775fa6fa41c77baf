// Benchmarks of issue 3: CLI start-up, kernel boot, reload, state update throughput.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, pairedMedians, row } from './util.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`daemon at ${url} did not answer`);
}

function tempConfig(dir, port, extra = '') {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, [
    `api: {listen: "127.0.0.1:${port}"}`,
    `state_file: ${join(dir, 'state.json')}`,
    `run_dir: ${join(dir, 'run')}`,
    `data_dir: ${join(dir, 'data')}`,
    `plugins: {dir: ${join(dir, 'plugins')}, cache_dir: ${join(dir, 'cache')}}`,
    extra,
  ].join('\n'));
  return file;
}

export async function benchCli(root) {
  const dir = mkdtempSync(join(tmpdir(), 'dstest-bench-'));
  const port = await freePort();
  const bin = join(root, 'bin/dockersnap.js');
  // serve reconciles at start, which prepares the storage pool: an existing_path that is not
  // btrfs makes that fail fast (logged) instead of creating a loop pool in the temp dir.
  const noPool = `btrfs: {existing_path: ${join(dir, 'no-pool')}}`;
  const daemon = spawn(process.execPath, [bin, 'serve', '--config', tempConfig(dir, port, noPool)], { stdio: 'ignore' });
  try {
    await waitHealthy(`http://127.0.0.1:${port}`);
    const env = { DOCKERSNAP_REMOTE: `http://127.0.0.1:${port}`, DOCKERSNAP_PLUGIN_DIR: join(dir, 'plugins') };
    const [bare, help, plugins, list] = pairedMedians([
      { file: process.execPath, args: ['-e', '0'] },
      { file: process.execPath, args: [bin, '--help'], env },
      { file: process.execPath, args: [bin, 'plugin', 'list'], env },
      { file: process.execPath, args: [bin, 'list'], env },
    ], RUNS);
    const ratio = (ms) => `ms (${(ms / bare).toFixed(2)}× node)`;
    return [
      row('node -e 0', bare, 'ms'),
      row('dockersnap --help (cold)', help, ratio(help), '≤ 2.5× node', help / bare <= 2.5),
      row('dockersnap plugin list (cold, daemon up)', plugins, ratio(plugins), '≤ 2.5× node', plugins / bare <= 2.5),
      row('dockersnap list (cold, daemon up)', list, ratio(list), '≤ 2.5× node', list / bare <= 2.5),
    ];
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kernel boot with all builtins, each in a fresh process (imports included). */
export function benchBoot(root) {
  const script = `
    const t0 = performance.now();
    const { Kernel } = await import(${JSON.stringify(join(root, 'dist/kernel/kernel.js'))});
    const tImported = performance.now();
    const { testSettings } = await import(${JSON.stringify(join(root, 'dist/plugin-sdk/testing/start-test-kernel.js'))});
    const { silentLogger } = await import(${JSON.stringify(join(root, 'dist/kernel/logger.js'))});
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/dstest-boot-');
    const settings = testSettings(dir, { capabilities: { storage: 'storage-btrfs' } });
    const log = silentLogger();
    const tStart = performance.now();
    const k = await Kernel.start({ settings, log, pluginDir: null });
    const ms = performance.now() - tStart;
    const total = performance.now() - t0 - (tStart - tImported);
    const n = k.plugins().length;
    await k.close();
    rmSync(dir, { recursive: true, force: true });
    console.log(JSON.stringify({ ms, total, n }));`;
  const runs = [];
  const totals = [];
  let n = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    runs.push(out.ms);
    totals.push(out.total);
    n = out.n;
  }
  const ms = median(runs);
  return [
    row(`kernel boot: Kernel.start, all ${n} builtins`, ms, 'ms', '≤ 100 ms', ms <= 100),
    row('  (incl. importing the kernel itself)', median(totals), 'ms'),
  ];
}

/** reload() with 20 directory plugins: all changed (worst case) and none changed. */
export async function benchReload(root) {
  const { Kernel } = await import(join(root, 'dist/kernel/kernel.js'));
  const { testSettings } = await import(join(root, 'dist/plugin-sdk/testing/start-test-kernel.js'));
  const { silentLogger } = await import(join(root, 'dist/kernel/logger.js'));
  const dir = mkdtempSync(join(tmpdir(), 'dstest-reload-'));
  const pluginDir = join(dir, 'plugins');
  const template = join(root, 'fixtures/plugins/good');
  const write = (i, rev) => {
    const d = join(pluginDir, `bench-${i}`);
    cpSync(template, d, { recursive: true });
    writeFileSync(join(d, 'plugin.json'), JSON.stringify({ id: `bench-${i}`, version: '1.0.0' }));
    writeFileSync(join(d, 'index.js'), readFileSync(join(template, 'index.js'), 'utf8').replaceAll("'good'", `'bench-${i}'`).replace('good plugin ready', `rev ${rev}`));
  };
  const k = await Kernel.start({ settings: testSettings(dir), log: silentLogger(), builtins: false, pluginDir });
  try {
    const changed = [];
    const same = [];
    for (let r = 0; r < Math.max(3, RUNS / 2); r++) {
      for (let i = 0; i < 20; i++) write(i, r);
      let t0 = performance.now();
      const report = await k.reload();
      changed.push(performance.now() - t0);
      if (report.plugins.filter((p) => p.status === 'ok').length !== 20) throw new Error('reload bench: not all 20 plugins ok');
      t0 = performance.now();
      await k.reload();
      same.push(performance.now() - t0);
    }
    const c = median(changed);
    const s = median(same);
    return [
      row('reload, 20 plugins all changed', c, 'ms', '≤ 200 ms', c <= 200),
      row('reload, 20 plugins unchanged', s, 'ms', '≤ 200 ms', s <= 200),
    ];
  } finally {
    await k.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** state update() throughput with fsync, 100 instances in the file. */
export async function benchState(root) {
  const { JsonStateStore } = await import(join(root, 'dist/builtin-plugins/state-json/json-state-store.js'));
  const dir = mkdtempSync(join(tmpdir(), 'dstest-state-'));
  const store = new JsonStateStore(join(dir, 'state.json'));
  try {
    await store.update((s) => {
      for (let i = 0; i < 100; i++) {
        const name = `inst-${i}`;
        s.instances[name] = { name, dataset: `dockersnap/instances/${name}`, subnet: `10.${10 + i}.0.0/16`, subnet_index: i, metallb_ip: `10.${10 + i}.10.10`, socket: `/run/dockersnap/${name}.sock`, pid_file: `/run/dockersnap/${name}.pid`, created_at: new Date().toISOString(), status: 'running', snapshots: [{ label: 'golden', created_at: new Date().toISOString() }] };
      }
      s.next_subnet_index = 100;
    });
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      await store.update((s) => {
        s.instances['inst-7'].status = n % 2 ? 'running' : 'stopped';
      });
      n++;
    }
    const perSec = n / ((performance.now() - t0) / 1000);
    return [row('state update(), 100 instances, fsync', perSec, 'updates/s', '≥ 500/s', perSec >= 500)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
