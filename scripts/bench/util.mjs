// Small helpers shared by the benchmark sections.
import { spawnSync } from 'node:child_process';

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Wall time of one run of a command, in ms. Throws if it fails. */
export function timeRun(file, args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Median of `runs` paired runs: each round runs every command once, so drift hits all alike. */
export function pairedMedians(commands, runs) {
  const times = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => times[j].push(timeRun(c.file, c.args, c.env)));
  return times.map(median);
}

export function row(name, value, unit, target, ok) {
  return { name, value, unit, target, verdict: target ? (ok ? 'ok' : 'MISSED') : '' };
}

export function printTable(rows) {
  const cols = ['benchmark', 'result', 'target', 'verdict'];
  const data = rows.map((r) => [r.name, `${typeof r.value === 'number' ? r.value.toFixed(r.value < 10 ? 2 : 1) : r.value} ${r.unit}`, r.target ?? '', r.verdict]);
  const widths = cols.map((c, i) => Math.max(c.length, ...data.map((d) => String(d[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const d of data) console.log(line(d));
}
