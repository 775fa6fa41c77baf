#!/usr/bin/env node
// Runs the tap suite, fails on host resources the suite left behind, and closes with the
// plain "N passed, N failed" line CI reads.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshotHostResources } from './host-resources.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const before = new Set(snapshotHostResources());
const args = process.argv.slice(2);
const files = args.length > 0 ? args : ['test/unit', 'test/conformance', 'test/integration', 'test/e2e'];

const child = spawn(process.execPath, [join(root, 'node_modules/tap/dist/esm/run.mjs'), '--reporter=tap', '--jobs=2', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, DOCKERSNAP_TEST_RUN: '1' },
});
let tail = '';
let passed = 0;
let failed = 0;
let skipped = 0;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-100000);
});
const code = await new Promise((resolve) => child.on('close', resolve));
for (const line of tail.split('\n')) {
  // The last summary line of tap: "# { total: N, pass: N, fail: N, skip: N }"
  const m = /^# \{ total: (\d+)(.*)\}$/.exec(line.trim());
  if (m) {
    const get = (k) => Number((new RegExp(`${k}: (\\d+)`).exec(m[2]) ?? [0, 0])[1]);
    passed = get('pass');
    failed = get('fail') + Math.max(0, Number(m[1]) - get('pass') - get('fail') - get('skip') - get('todo'));
    skipped = get('skip');
  }
}
const leaks = snapshotHostResources().filter((item) => !before.has(item));
if (leaks.length > 0) {
  console.log('\nThe suite left host resources behind:');
  for (const item of leaks) console.log(`  ${item}`);
  failed += 1;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
