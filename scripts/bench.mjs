#!/usr/bin/env node
// `npm run bench`: measures everything the issues set targets for, in one run, and prints a table.
// BENCH_RUNS sets the repetitions of the start-up timings (default 10).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBoot, benchCli, benchReload, benchState } from './bench/kernel.mjs';
import { printTable } from './bench/util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sections = [
  ['CLI start-up', () => benchCli(root)],
  ['kernel boot', () => benchBoot(root)],
  ['plugin reload', () => benchReload(root)],
  ['state store', () => benchState(root)],
];
const only = process.argv.slice(2);
const rows = [];
for (const [name, run] of sections) {
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue;
  process.stderr.write(`bench: ${name}…\n`);
  try {
    rows.push(...(await run()));
  } catch (err) {
    rows.push({ name, value: 'failed', unit: '', target: '', verdict: `ERROR: ${err.message.split('\n')[0]}` });
  }
}
console.log(`\ndockersnap benchmarks — ${new Date().toISOString()} — node ${process.version}\n`);
printTable(rows);
