import { parseDurationMs } from '../../plugin-sdk/index.js';
import { DEFAULT_TIMEOUTS_MS, EXEC_COMMANDS, type ExecCommand } from '../../plugin-sdk/exec-plugin/contract.js';

/**
 * Per-command deadlines from `plugins.timeouts` (Go durations, §4): an empty, unparseable
 * or ≤ 0 value falls back to the command's default.
 */
export function commandTimeouts(configured: Readonly<Partial<Record<ExecCommand, string>>> | undefined): Record<ExecCommand, number> {
  const out = {} as Record<ExecCommand, number>;
  for (const c of EXEC_COMMANDS) out[c] = Math.max(1, Math.round(parseDurationMs(configured?.[c], DEFAULT_TIMEOUTS_MS[c])));
  return out;
}
