// Precompiled plugin config validators: the build's files match the builtins' schemas and
// validate exactly as ajv does; the kernel uses one only for the schema it was built from.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { PRECOMPILED_VALIDATOR_FILE, schemaFingerprint, validatePluginConfig } from '../../kernel/plugins/plugin-config.js';
import { testSettings } from '../../plugin-sdk/testing/start-test-kernel.js';
import { definePlugin, type AnyPluginDefinition } from '../../plugin-sdk/index.js';

const root = join(import.meta.dirname, '..', '..');

/** A copy of `def` with its own schema object, so the per-schema compile cache starts empty. */
function fresh(def: AnyPluginDefinition): AnyPluginDefinition {
  return { ...def, configSchema: structuredClone(def.configSchema) } as AnyPluginDefinition;
}

/** validatePluginConfig's outcome as data: the filled config, or the error's code and message. */
async function outcome(def: AnyPluginDefinition, config: Record<string, unknown>, dir?: string): Promise<unknown> {
  const settings = testSettings('/tmp/dstest-validators', { plugins: { config: { [def.id]: config } } });
  try {
    return { ok: await validatePluginConfig(fresh(def), settings, dir) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code, message: e.message };
  }
}

async function builtinsWithSchema(): Promise<Array<{ id: string; def: AnyPluginDefinition }>> {
  const out = [];
  for (const id of readdirSync(join(root, 'builtin-plugins')).sort()) {
    const entry = join(root, 'builtin-plugins', id, 'index.ts');
    if (!existsSync(entry)) continue;
    const def = (await import(pathToFileURL(entry).href)).default as AnyPluginDefinition;
    if (def.configSchema) out.push({ id, def });
  }
  return out;
}

t.test('the generator precompiles every builtin schema, and each validates as ajv does', async (t) => {
  // Generated from the TS sources into a scratch folder inside the package (the validators
  // require() ajv's runtime helpers), not into the shared dist/ that `npm run build` fills.
  const out = t.testdir();
  const gen = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/gen-plugin-validators.mjs'), root, out], { cwd: root, encoding: 'utf8' });
  t.equal(gen.status, 0, gen.stderr);
  const builtins = await builtinsWithSchema();
  t.ok(builtins.length >= 4, 'several builtins have a config schema');
  for (const { id, def } of builtins) {
    const dir = join(out, id);
    const file = join(dir, PRECOMPILED_VALIDATOR_FILE);
    t.ok(existsSync(file), `${id}: ${PRECOMPILED_VALIDATOR_FILE} was generated`);
    if (!existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { schemaHash: string };
    t.equal(mod.schemaHash, schemaFingerprint(def.configSchema!), `${id}: built from the current schema`);
    const samples: Array<Record<string, unknown>> = [{}, { bogus: 1 }];
    const props = (def.configSchema as { properties?: Record<string, { type?: string }> }).properties ?? {};
    for (const [key, p] of Object.entries(props)) samples.push({ [key]: p.type === 'string' ? 42 : 'not-a-number' }, { [key]: p.type === 'string' ? '' : -1 });
    for (const sample of samples) t.same(await outcome(def, sample, dir), await outcome(def, sample), `${id}: ${JSON.stringify(sample)}`);
  }
});

t.test('a validator file is used only for the schema it was compiled from', async (t) => {
  const schema = { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', default: 3 } } };
  const def = definePlugin({ id: 'precompiled-probe', configSchema: schema, setup() {} }) as AnyPluginDefinition;
  // A stand-in "validator" that accepts anything and marks what it saw, so its use is visible.
  // Each in its own folder: ESM caches a module by URL.
  const validatorDir = (hash: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'dstest-validator-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, PRECOMPILED_VALIDATOR_FILE), `export const schemaHash = ${JSON.stringify(hash)};\nexport function validate(d) { d.marked = true; return true; }\n`);
    return dir;
  };
  const dir = validatorDir(schemaFingerprint(schema));
  t.same(await outcome(def, { size: 'x' }, dir), { ok: { size: 'x', marked: true } }, 'matching hash: the file validates');
  const staleDir = validatorDir(schemaFingerprint({ ...schema, title: 'an older schema' }));
  const stale = (await outcome(def, { size: 'x' }, staleDir)) as { code?: string; message?: string };
  t.equal(stale.code, 'DS_ERR_PLUGIN_CONFIG', 'stale hash: ajv validates instead');
  t.match(stale.message, /size must be integer/);
  t.same(await outcome(def, {}, join(dir, 'missing')), { ok: { size: 3 } }, 'no file: ajv fills defaults');
});
