/**
 * Bad input to `dockersnap serve`: a malformed or mistyped config file, a config naming a
 * plugin both required and disabled — each is a non-zero exit with a DS_ERR_* code and a
 * sentence naming the file and the key, and nothing is written.
 */
import t from 'tap';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, requireBuild, runCli } from '../helpers/daemon.js';

requireBuild();

function configIn(dir: string, body: string): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, [`state_file: ${join(dir, 'state.json')}`, `run_dir: ${join(dir, 'run')}`, `data_dir: ${join(dir, 'data')}`, body].join('\n'));
  return file;
}

const cases: Array<[string, string, RegExp]> = [
  ['YAML syntax error', 'api: {listen: "127.0.0.1:0"\nnetwork: [', /config .*config\.yaml.*line/i],
  ['wrong type', 'network:\n  subnet_size: "sixteen"', /network\.subnet_size must be integer/],
  ['bad IPv4 base offset', 'network:\n  base_offset: "10.10.0"', /network\.base_offset/],
  ['bad duration', 'plugins:\n  hook_timeout: "90"', /plugins\.hook_timeout/],
  ['required and disabled', 'plugins:\n  required: [state-json]\n  disabled: [state-json]', /state-json/],
];

for (const [what, body, message] of cases) {
  t.test(`serve refuses a config with a ${what}`, async (t) => {
    const dir = t.testdir();
    const file = configIn(dir, body);
    const before = readdirSync(dir).sort();
    const r = await runCli(['serve', '--config', file], cleanEnv(), 30_000);
    t.equal(r.code, 7, `exit code 7 (config); stderr: ${r.stderr}`);
    t.match(r.stderr, /\[DS_ERR_CONFIG\]/);
    t.match(r.stderr, message);
    t.same(readdirSync(dir).sort(), before, 'nothing was written next to the config');
    t.notOk(existsSync(join(dir, 'state.json')));
  });
}

t.test('serve with a config file that does not exist', async (t) => {
  const r = await runCli(['serve', '--config', join(t.testdir(), 'nope.yaml')], cleanEnv(), 30_000);
  t.equal(r.code, 7);
  t.match(r.stderr, /nope\.yaml.*not found|not found.*nope\.yaml/i);
});
