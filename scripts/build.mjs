#!/usr/bin/env node
// Compiles the TypeScript sources to dist/ and copies the plugin manifests next to them.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
const builtins = join(root, 'builtin-plugins');
for (const id of readdirSync(builtins)) {
  const manifest = join(builtins, id, 'plugin.json');
  if (existsSync(manifest)) cpSync(manifest, join(root, 'dist/builtin-plugins', id, 'plugin.json'));
}
// Each builtin plugin as one module (cheap kernel boot).
execFileSync(process.execPath, [join(root, 'scripts/gen-builtin-bundles.mjs'), join(root, 'dist')], { stdio: 'inherit' });
// The builtins' config schemas as standalone validators (no ajv import or compile at boot).
execFileSync(process.execPath, [join(root, 'scripts/gen-plugin-validators.mjs'), join(root, 'dist')], { stdio: 'inherit' });
// The CLI: oclif's command manifest (cheap help) and the single-file bundle (cheap start-up).
execFileSync(process.execPath, [join(root, 'scripts/cli-manifest.mjs')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(root, 'scripts/bundle-cli.mjs')], { stdio: 'inherit' });
