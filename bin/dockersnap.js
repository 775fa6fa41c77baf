#!/usr/bin/env node
// The dockersnap executable: runs the compiled oclif CLI (npm run build first).
import { main } from '../dist/bin/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
