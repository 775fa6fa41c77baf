#!/usr/bin/env node
// The dockersnap executable: runs the compiled CLI (npm run build first) — the single-file
// bundle when the build produced one (faster start-up), else the plain modules.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bin/cli/bundle.mjs', import.meta.url);
const cli = existsSync(bundle) ? await import(bundle.href) : await import('../dist/bin/cli/main.js');
// Exit as soon as the command is done: fetch's idle keep-alive connection would otherwise hold
// the process for a few hundred ms. Output is flushed by then; `serve` resolves only after shutdown.
process.exit(await cli.main(process.argv.slice(2)));
