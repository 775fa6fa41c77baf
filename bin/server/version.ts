import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../kernel/plugins/loader.js';

/**
 * The daemon's build string (api-v1 §6.1): SemVer with build metadata. Unstamped builds
 * (everything until release tooling stamps one) report `v<package version>+dev`.
 */
export function daemonVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return `v${pkg.version ?? '0.0.0'}+dev`;
}

/**
 * Go's `time.Duration.String()` truncated to whole seconds, as the original prints `uptime`:
 * `0s`, `45s`, `2m0s`, `1h2m3s`, `26h0m5s` (hours never roll into days).
 */
export function formatGoDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** RFC 3339 in UTC with whole seconds (`2026-05-01T09:00:00Z`), as health's `started_at`. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
