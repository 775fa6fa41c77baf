// scripts/gen-builtin-bundles.mjs: a builtin's own modules fold into its entry; everything
// outside its folder (plugin-sdk, kernel, packages) stays a shared external import.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';

const root = join(import.meta.dirname, '..', '..');

t.test('a builtin becomes one module that shares the SDK with the kernel', async (t) => {
  // A scratch dist/ inside the package, so its bare imports resolve from node_modules.
  const dist = t.testdir({
    'package.json': '{ "type": "module" }\n',
    'plugin-sdk': { 'index.js': 'export const ref = { id: "shared" };\n' },
    'builtin-plugins': {
      demo: {
        'plugin.json': JSON.stringify({ id: 'demo', version: '0.1.0', main: 'index.js' }),
        'index.js': "import { ref } from '../../plugin-sdk/index.js';\nimport { helper } from './helper.js';\nexport default { id: 'demo', ref, helper, lazy: () => import('tapable') };\n",
        'helper.js': "import { pack } from 'tar-stream';\nexport const helper = () => typeof pack;\n",
      },
      'no-manifest': { 'index.js': 'export default 1;\n' },
    },
  });
  const run = spawnSync(process.execPath, [join(root, 'scripts/gen-builtin-bundles.mjs'), dist], { encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, 'builtin bundles: demo');
  const entry = join(dist, 'builtin-plugins/demo/index.js');
  const text = readFileSync(entry, 'utf8');
  t.match(text, 'typeof pack', 'the own helper module is inlined');
  t.match(text, /from "\.\.\/\.\.\/plugin-sdk\/index\.js"/, 'the SDK stays an import');
  t.match(text, /from "tar-stream"/, 'a package stays an import');
  t.match(text, /import\("tapable"\)/, 'a lazy package import stays lazy');
  t.equal(readFileSync(join(dist, 'builtin-plugins/no-manifest/index.js'), 'utf8'), 'export default 1;\n', 'a folder without plugin.json is left alone');
  writeFileSync(join(dist, 'builtin-plugins/demo/helper.js'), 'throw new Error("the bundle must not import me");\n');
  const def = (await import(pathToFileURL(entry).href)).default;
  const sdk = await import(pathToFileURL(join(dist, 'plugin-sdk/index.js')).href);
  t.equal(def.ref, sdk.ref, 'the same SDK module instance as the kernel gets');
  t.equal(def.helper(), 'function');
});
