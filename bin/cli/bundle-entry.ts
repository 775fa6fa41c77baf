import { fileURLToPath } from 'node:url';
import { runCli } from './main.js';

/**
 * Entry of the single-file CLI bundle (`dist/bin/cli/bundle.mjs`, built by
 * scripts/bundle-cli.mjs): one module holding the CLI, oclif and the client, so start-up reads
 * and compiles one file instead of about 150. It is also oclif's command target and help class.
 */
export { COMMANDS } from './commands.js';
export { default } from './help.js';

/** Runs the CLI from the bundle. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv, { bundle: fileURLToPath(import.meta.url) });
}
