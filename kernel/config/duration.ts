import { DsError } from '../errors.js';

/**
 * Go's `time.ParseDuration` grammar (state-and-config §2.2): an optional sign, then one or
 * more `<decimal><unit>` pairs (`1h30m`, `90s`, `1.5m`, `-2s`), or the bare `0`. Kept in
 * its own module so callers that only need durations (CLI, plugins) do not load ajv/yaml.
 */

/** Milliseconds per unit; `µ` (micro sign) and `μ` (Greek mu) are both accepted, as in Go. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const NUMBER = /^(\d*)(?:\.(\d*))?/;
const UNIT = /^[^\d.]+/;

function invalid(text: string, why: string): DsError {
  return new DsError('DS_ERR_CONFIG', `invalid duration ${JSON.stringify(text)}: ${why} (expected a Go duration such as 30s, 1.5m or 1h30m)`, {
    details: { value: text },
  });
}

/**
 * Parses a Go duration into milliseconds (fractional for sub-millisecond units).
 * Pure and idempotent.
 * @throws DsError DS_ERR_CONFIG for an empty string, a bare number other than `0`, a missing
 * or unknown unit, or any other text that Go would reject.
 */
export function parseGoDuration(text: string): number {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid(text, 'it is empty');
  let total = 0;
  while (rest !== '') {
    const num = NUMBER.exec(rest);
    const digits = num?.[0] ?? '';
    // Go requires a digit on at least one side of the dot: ".5s" and "5.s" are fine, "." is not.
    if (num === null || (num[1] === '' && (num[2] ?? '') === '')) throw invalid(text, `expected a number at ${JSON.stringify(rest)}`);
    rest = rest.slice(digits.length);
    const unit = UNIT.exec(rest)?.[0];
    if (unit === undefined) throw invalid(text, 'missing unit');
    const factor = UNIT_MS[unit];
    if (factor === undefined) throw invalid(text, `unknown unit ${JSON.stringify(unit)}`);
    total += Number(digits) * factor;
    rest = rest.slice(unit.length);
  }
  return sign * total;
}

/** True when `text` is a valid Go duration. Never throws. */
export function isGoDuration(text: string): boolean {
  try {
    parseGoDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** A positive duration in ms, or `fallback` when empty, invalid or ≤ 0 (the original's rule for timeouts). */
export function parseDurationMs(text: string | undefined, fallback: number): number {
  try {
    const ms = parseGoDuration((text ?? '').trim());
    return ms > 0 ? ms : fallback;
  } catch {
    return fallback;
  }
}
