const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Parses a Go duration (`1h30m`, `90s`, `1.5m`, `0`) into milliseconds.
 * Returns undefined for anything else, including a bare number other than 0.
 */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return undefined;
  let sign = 1;
  let i = 0;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  let total = 0;
  PART.lastIndex = i;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
  }
  return PART.lastIndex === i ? undefined : sign * total;
}

/** A positive Go duration in ms, or `fallback` when empty, invalid or ≤ 0 (the original's rule). */
export function parseDurationMs(text: string | undefined, fallback: number): number {
  const ms = parseGoDuration(text ?? '');
  return ms === undefined || ms <= 0 ? fallback : ms;
}
