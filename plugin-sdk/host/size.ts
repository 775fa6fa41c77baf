import { DsError } from '../../kernel/errors.js';

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/**
 * Parses a size such as `20G`, `512M`, `1.5T`, `2GiB` or `1048576` into bytes (binary
 * units, as truncate(1); the unit is case-insensitive). Called while resolving a plugin's
 * config. Pure.
 * @throws DsError DS_ERR_CONFIG for anything else (no number, a negative one, an unknown unit).
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) throw new DsError('DS_ERR_CONFIG', `invalid size ${JSON.stringify(text)}: expected a number with an optional K, M, G, T or P suffix`);
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
}
