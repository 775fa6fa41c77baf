// Benchmarks of issue 6 (workload plugins): one exec `describe` round trip through the runner,
// and `GET /api/v1/instances/:name/workload/health` answered from a warm health cache.
// Needs `npm run build` (imports dist/) and /bin/sh.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, row } from './util.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function dist(root, path) {
  return import(pathToFileURL(join(root, 'dist', path)).href);
}

/** Median wall time (ms) of `runs` sequential calls of `fn`, after one warm-up call. */
async function timed(fn, runs) {
  await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/**
 * A minimal contract-v1 plugin: answers from constants, so the time measured is the runner's
 * (spawn, stdin, stdout/stderr collection, parse), not the plugin's own work.
 */
const MINIMAL_PLUGIN = `#!/bin/sh
case "$1" in
  schema) echo '{"contract_version":"1","supported_contract_versions":["1"],"plugin_name":"bench-min","plugin_version":"0.0.1"}' ;;
  init) ;;
  describe) cat >/dev/null; echo '{"contract_version":"1","workload_type":"bench-min","status":"running"}' ;;
  *) cat >/dev/null; exit 1 ;;
esac
`;

/** An exec describe through the runner (spawn, stdin, parse) against a minimal sh plugin. */
async function describeRoundTrip(root, dir) {
  const { ExecRunner } = await dist(root, 'builtin-plugins/workload-exec/runner.js');
  const { ExecPluginCatalog } = await dist(root, 'builtin-plugins/workload-exec/catalog.js');
  const { commandTimeouts } = await dist(root, 'builtin-plugins/workload-exec/timeouts.js');
  const { silentLogger } = await dist(root, 'kernel/logger.js');
  const plugins = join(dir, 'plugins');
  mkdirSync(plugins);
  writeFileSync(join(plugins, 'bench-min'), MINIMAL_PLUGIN, { mode: 0o755 });
  const log = silentLogger();
  const runner = new ExecRunner({ log, timeouts: commandTimeouts({}) });
  const catalog = new ExecPluginCatalog(plugins, runner, log);
  await catalog.rescan();
  const driver = catalog.driver('bench-min');
  const name = 'bench';
  const input = {
    contract_version: '1',
    instance_name: name,
    instance: { name, socket: `${dir}/${name}.sock`, subnet: '10.10.0.0/16', data_root: dir, host_veth_ip: '10.10.0.1', ns_veth_ip: '10.10.0.2', netns_name: `ds-${name}`, metallb_ip: '10.10.10.10', created_at: new Date().toISOString() },
  };
  return timed(() => driver.describe(input), RUNS);
}

/** The health route over a real socket, its answer coming from a polled cache (fake stack). */
async function warmHealthRead(root) {
  const sdk = await dist(root, 'plugin-sdk/index.js');
  const testing = await dist(root, 'plugin-sdk/testing/index.js');
  const { startTestKernel } = await dist(root, 'plugin-sdk/testing/start-test-kernel.js');
  const { createServer } = await dist(root, 'bin/server/server.js');
  const { PolledWorkloadHealth } = await dist(root, 'bin/server/health-cache.js');
  const { withWorkload } = await dist(root, 'bin/server/instance-workload.js');
  const { silentLogger } = await dist(root, 'kernel/logger.js');
  const fakes = [
    [sdk.stateCapability, new testing.MemoryStateStore()],
    [sdk.storageCapability, new testing.FakeStorage()],
    [sdk.netnsCapability, new testing.FakeNetns()],
    [sdk.dockerdCapability, new testing.FakeDockerd()],
    [sdk.workloadCapability, new testing.FakeWorkload('fakewl'), 'fakewl'],
  ];
  const tk = await startTestKernel({ fakes });
  const kernel = tk.kernel;
  const cache = new PolledWorkloadHealth({
    intervalMs: 3_600_000,
    threshold: 3,
    targets: async () => (await kernel.instances.list()).map((v) => ({ instance: v.name, status: v.status, plugin: v.workload_plugin, probe: () => withWorkload(kernel, v, 'health', ({ driver, input }) => driver.health(input)) })),
  });
  const app = createServer({ kernel, settings: tk.settings, log: silentLogger(), workloadHealth: cache });
  try {
    await kernel.instances.create({ name: 'bench', workload: { plugin: 'fakewl' } }).result;
    await cache.pollOnce();
    if (!cache.entry('bench')) throw new Error('the poll made no cache entry');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${app.server.address().port}/api/v1/instances/bench/workload/health`;
    return await timed(async () => {
      const body = await (await fetch(url)).json();
      if (body.checked_at === undefined) throw new Error('the answer did not come from the cache');
    }, RUNS * 5);
  } finally {
    await cache.close();
    await app.close();
    await tk.close();
  }
}

/** The workload bench section's rows. */
export async function benchWorkload(root) {
  const dir = mkdtempSync(join(tmpdir(), 'dstest-bench-wl-'));
  try {
    const describe = await describeRoundTrip(root, dir);
    const health = await warmHealthRead(root);
    return [
      row('exec plugin describe round trip (runner, minimal sh plugin)', describe, 'ms', '≤ 50 ms', describe <= 50),
      row('GET …/workload/health, warm cache (HTTP)', health, 'ms', '≤ 5 ms', health <= 5),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
