// Child process of the cross-process state test: waits until `startAt` (so that all
// children contend at once), then adds 1 to next_subnet_index `count` times, each in its
// own update. Prints {first, last} update times (ms since epoch) as JSON.
// Usage: node --import tsx state-increment.ts <state-file> <count> <startAt>
import { JsonStateStore } from '../../builtin-plugins/state-json/json-state-store.js';

const [path, countText, startAtText] = process.argv.slice(2);
const store = new JsonStateStore(path!, { lockTimeoutMs: 60_000 });
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAtText) - Date.now())));
let first = 0;
for (let i = 0; i < Number(countText); i++) {
  await store.update((s) => {
    s.next_subnet_index += 1;
  });
  if (i === 0) first = Date.now();
}
console.log(JSON.stringify({ first, last: Date.now() }));
