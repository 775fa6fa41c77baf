// Child process of the kill -9 fault tests: boots a kernel with every builtin plugin on the
// given settings (the test's dirs), starts one operation and prints each progress event as one
// JSON line as it happens, then a final {"step":"result"} line. The test SIGKILLs it mid-way.
// Usage: node --import tsx lifecycle-driver.ts '{"settings":{…},"op":"create"|"snapshot","name":"…","label":"…"}'
import { Kernel } from '../../kernel/kernel.js';
import { createLogger, silentLogger } from '../../kernel/logger.js';
import { testSettings } from '../../plugin-sdk/testing/start-test-kernel.js';

interface DriverInput {
  settings: Record<string, unknown>;
  dir: string;
  op: 'create' | 'snapshot';
  name: string;
  label?: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as DriverInput;
const level = process.env['DOCKERSNAP_TEST_LOG'];
const kernel = await Kernel.start({
  settings: testSettings(input.dir, input.settings),
  log: level ? createLogger({ level, destination: process.stderr }) : silentLogger(),
  builtins: true,
  pluginDir: null,
});
const line = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
line({ step: 'booted', status: 'done', message: String(process.pid) });
const op = input.op === 'create' ? kernel.instances.create({ name: input.name }) : kernel.instances.snapshot(input.name, input.label ?? 'killed');
for await (const event of op) line(event);
const outcome = await op.result.then(
  () => ({ status: 'done' }),
  (err: { code?: string; message?: string }) => ({ status: 'error', message: `${err.code}: ${err.message}` }),
);
line({ step: 'result', ...outcome });
await kernel.close();
