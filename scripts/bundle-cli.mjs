#!/usr/bin/env node
// Bundles the compiled CLI (dist/bin/cli, oclif, the client) into dist/bin/cli/bundle.mjs, which
// bin/dockersnap.js prefers: one file to read and compile instead of ~150 keeps `dockersnap
// --help` and `plugin list` within the start-up budget. The daemon (../server/*) stays out and
// is imported by `serve` only. Without esbuild the step is skipped and the CLI runs unbundled.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/bin/cli/bundle-entry.js');
if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc first`);
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('bundle-cli: esbuild is not installed; the CLI runs from the plain modules (slower start-up)');
  process.exit(0);
}
// oclif code paths the CLI never takes: tinyglobby serves the `pattern` command strategy (we use
// `explicit`), minimatch matches core/dev plugins from package.json (the CLI passes its plugins
// in). Stubbing them saves their start-up cost; reaching one anyway fails loudly.
const unusedDeps = {
  name: 'unused-oclif-deps',
  setup(build) {
    build.onResolve({ filter: /^(tinyglobby|minimatch)$/ }, (args) => ({ path: args.path, namespace: 'ds-unused' }));
    build.onLoad({ filter: /.*/, namespace: 'ds-unused' }, (args) => ({
      loader: 'js',
      contents: `const unused = () => { throw new Error(${JSON.stringify(`${args.path} is not bundled into the dockersnap CLI (see scripts/bundle-cli.mjs)`)}); };
module.exports = { glob: unused, minimatch: unused };`,
    }));
  },
};
const result = await esbuild.build({
  entryPoints: [entry],
  outfile: join(root, 'dist/bin/cli/bundle.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
  // typescript/ts-node: oclif's optional auto-transpile, which the CLI switches off. yaml: only
  // `create --config-file` reads YAML, so it is imported from node_modules when needed.
  external: ['typescript', 'ts-node', 'yaml', '../server/*'],
  metafile: true,
  plugins: [unusedDeps],
  // Bundled CommonJS (oclif) calls require(); ESM output needs one.
  banner: { js: "import { createRequire as __dsCreateRequire } from 'node:module'; const require = __dsCreateRequire(import.meta.url);" },
});
// What went into the bundle, for the test that keeps the daemon's modules out of client commands.
writeFileSync(join(root, 'dist/bin/cli/bundle.meta.json'), JSON.stringify(result.metafile));
console.log('bundle-cli: dist/bin/cli/bundle.mjs');
