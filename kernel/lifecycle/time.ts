/**
 * RFC 3339 with fractional seconds and the local offset, as Go's RFC3339Nano prints it
 * (trailing zeros trimmed, `Z` for UTC): the original's `created_at` format.
 */
export function rfc3339Nano(date: Date = new Date()): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMin * 60_000);
  const frac = pad(local.getUTCMilliseconds(), 3).replace(/0+$/, '');
  const base = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${base}${frac ? `.${frac}` : ''}${zone}`;
}
