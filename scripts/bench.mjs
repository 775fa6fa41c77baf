#!/usr/bin/env node
// `npm run bench`: measures everything the issues set targets for, in one run, and prints a table.
// BENCH_RUNS sets the repetitions (default 10 for the start-up timings, 5 for the runtime ones).
// `node scripts/bench.mjs btrfs snapshot` runs only the sections whose name contains an argument.
// The runtime sections need root, dockerd, btrfs-progs / zfs-fuse; BENCH_QUICK=1 shrinks their data.
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBoot, benchCli, benchReload, benchState } from './bench/kernel.mjs';
import { Skip, runtimeSections } from './bench/runtime.mjs';
import { printTable } from './bench/util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sections = [
  ['CLI start-up', () => benchCli(root)],
  ['kernel boot', () => benchBoot(root)],
  ['plugin reload', () => benchReload(root)],
  ['state store', () => benchState(root)],
  ['daemon: 20 instances behind serve (list, API throughput, RSS)', async () => (await import('./bench/daemon.mjs')).benchDaemon(root)],
  ['workload: exec describe round trip, cached health read', async () => (await import('./bench/workload.mjs')).benchWorkload(root)],
  // [name, run(env), group]: the sections of one group share what group.open() made (a booted
  // kernel and pool); group.close(env) runs after the last selected one, failed or not.
  ...runtimeSections(root),
];
const only = process.argv.slice(2);
const selected = sections.filter(([name]) => only.length === 0 || only.some((o) => name.includes(o)));
const failure = (name, err) => ({ name, value: err instanceof Skip ? 'skipped' : 'failed', unit: '', target: '', verdict: `${err instanceof Skip ? 'SKIP' : 'ERROR'}: ${err.message.split('\n')[0]}` });
const opened = new Map();
const rows = [];
for (const [i, [name, run, group]] of selected.entries()) {
  process.stderr.write(`bench: ${name}…\n`);
  try {
    if (group && !opened.has(group)) opened.set(group, group.open());
    rows.push(...(await run(group ? await opened.get(group) : undefined)));
  } catch (err) {
    rows.push(failure(name, err));
  } finally {
    if (group && !selected.slice(i + 1).some(([, , g]) => g === group)) {
      const env = await opened.get(group)?.catch(() => undefined); // a failed open cleaned up after itself
      if (env) rows.push(...(await group.close(env).catch((err) => [failure(`${name}: cleanup`, err)])));
    }
  }
}
const quick = process.env.BENCH_QUICK === '1' ? ' — BENCH_QUICK' : '';
console.log(`\ndockersnap benchmarks — ${new Date().toISOString()} — node ${process.version} — load ${loadavg().map((l) => l.toFixed(2)).join(' ')}${quick}\n`);
printTable(rows);
