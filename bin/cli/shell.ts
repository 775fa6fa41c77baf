type Env = Readonly<Record<string, string | undefined>>;

/** The variables `use --unset` removes (others a plugin set are left alone, as the original). */
export const UNSET_VARS = ['KUBECONFIG', 'DOCKERSNAP_INSTANCE', 'DOCKER_HOST'] as const;

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/**
 * Go's `strconv.Quote`, which the original's `use` prints values with: double quotes; `\"`,
 * `\\` and the C escapes; `\xNN` for other ASCII controls; `\uNNNN`/`\UNNNNNNNN` for
 * non-printable code points (lone surrogates as `\ufffd`, Go's replacement for invalid UTF-8).
 * Printable Unicode is kept; `$` and backticks are not escaped.
 */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (SHORT[ch] !== undefined) out += SHORT[ch];
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** fish, when `FISH_VERSION` is set or `SHELL` names fish; else a POSIX shell. */
export function isFish(env: Env): boolean {
  return (env['FISH_VERSION'] ?? '') !== '' || (env['SHELL'] ?? '').includes('fish');
}

/** One line per variable: `export KEY="value"` (POSIX) or `set -gx KEY "value";` (fish). */
export function exportLines(vars: Readonly<Record<string, string>>, fish: boolean): string[] {
  return Object.entries(vars).map(([k, v]) => (fish ? `set -gx ${k} ${goQuote(v)};` : `export ${k}=${goQuote(v)}`));
}

/** `unset KEY` (POSIX) or `set -e KEY;` (fish) for the variables `use` sets. */
export function unsetLines(fish: boolean): string[] {
  return UNSET_VARS.map((k) => (fish ? `set -e ${k};` : `unset ${k}`));
}
