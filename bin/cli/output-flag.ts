import * as Flags from '@oclif/core/flags';
import { DsError } from '../../kernel/errors.js';

/** `-o, --output text|json` of the read commands; `-o json` is the same as `--json`. */
export const OUTPUT_FLAGS = {
  output: Flags.string({ char: 'o', helpValue: 'text|json', summary: 'Output format: text (default) or json (same as --json).' }),
};

/** The `-o`/`--output` value on a raw command line (before any `--`), if given. */
export function outputOf(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if ((arg === '-o' || arg === '--output') && i + 1 < argv.length) found = argv[++i];
    else if (arg.startsWith('--output=')) found = arg.slice('--output='.length);
    else if (/^-o[^-]/.test(arg)) found = arg.slice(2).replace(/^=/, '');
  }
  return found;
}

/**
 * Checks an `-o` value.
 * @throws DsError DS_ERR_INVALID_INPUT `unknown -o format "<x>" (want: text, json)` (the original's text).
 */
export function checkOutput(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === '' || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new DsError('DS_ERR_INVALID_INPUT', `unknown -o format ${JSON.stringify(value)} (want: text, json)`, { details: { flag: 'output', value } });
}
