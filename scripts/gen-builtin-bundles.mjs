#!/usr/bin/env node
// Bundles each compiled builtin plugin's own modules into its entry file, in place:
// dist/builtin-plugins/<id>/<main> then holds the whole plugin folder as one module. Kernel boot
// imports every builtin; ~80 small modules cost more in ESM resolve/load than their code does.
// Only the plugin's own folder goes in: plugin-sdk/, kernel/ and packages stay external imports,
// so the plugin shares those modules (capability refs, error classes) with the kernel, and lazy
// package imports (dockerode) stay lazy. Run by scripts/build.mjs after tsc; without esbuild
// (a production install without devDependencies) the step is skipped and the plugins run as compiled.
// Usage: node scripts/gen-builtin-bundles.mjs [distDir]
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtins = join(resolve(process.argv[2] ?? join(root, 'dist')), 'builtin-plugins');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('builtin bundles: esbuild is not installed; builtins load as separate modules');
  process.exit(0);
}

/** Keeps every import that leaves `pluginDir` external, rewritten relative to the entry's folder. */
function ownFolderOnly(pluginDir, entryDir) {
  return {
    name: 'own-folder-only',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (!args.path.startsWith('.')) return { path: args.path, external: true };
        const target = resolve(args.resolveDir, args.path);
        if (target.startsWith(pluginDir + sep)) return undefined;
        const rel = relative(entryDir, target).split(sep).join('/');
        return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
      });
    },
  };
}

const bundled = [];
for (const id of readdirSync(builtins).sort()) {
  const pluginDir = join(builtins, id);
  const manifestFile = join(pluginDir, 'plugin.json');
  if (!existsSync(manifestFile)) continue;
  const entry = join(pluginDir, JSON.parse(readFileSync(manifestFile, 'utf8')).main ?? 'index.js');
  if (!existsSync(entry)) continue;
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: entry,
    bundle: true,
    write: false,
    allowOverwrite: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [ownFolderOnly(pluginDir, dirname(entry))],
  });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents);
  bundled.push(id);
}
console.log(`builtin bundles: ${bundled.join(', ') || 'none'}`);
