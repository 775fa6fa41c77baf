// Child process of the cross-process state test: announces itself in `<barrier>/ready-<pid>`,
// waits for `<barrier>/go` (so that all children contend at once, however slowly each one
// started), then adds 1 to next_subnet_index `count` times, each in its own update.
// Prints {first, last} as JSON (ms since epoch): when it began contending for the lock (go seen)
// and when its last update committed. The lock may serve one process several times in a row,
// so contention shows as overlapping [first, last] windows, not as interleaved updates.
// Usage: node --import tsx state-increment.ts <state-file> <count> <barrier-dir>
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonStateStore } from '../../builtin-plugins/state-json/json-state-store.js';

const [path, countText, barrier] = process.argv.slice(2);
const store = new JsonStateStore(path!, { lockTimeoutMs: 60_000 });
writeFileSync(join(barrier!, `ready-${process.pid}`), '');
const deadline = Date.now() + 120_000;
while (!existsSync(join(barrier!, 'go'))) {
  if (Date.now() > deadline) throw new Error('the go signal never came');
  await new Promise((r) => setTimeout(r, 2)); // polling a condition with a deadline
}
const first = Date.now();
for (let i = 0; i < Number(countText); i++) {
  await store.update((s) => {
    s.next_subnet_index += 1;
  });
}
console.log(JSON.stringify({ first, last: Date.now() }));
