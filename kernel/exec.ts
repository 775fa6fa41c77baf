import { DsError } from './errors.js';
import type { Exec, ExecOptions, ExecResult } from '../plugin-sdk/exec.js';
import type { Logger } from '../plugin-sdk/logger.js';

const STDERR_LIMIT = 4000;

/**
 * The one exec wrapper. execa is imported on first use so that commands which never
 * spawn anything (most CLI verbs, kernel boot) do not pay for it.
 */
export function createExec(log: Logger): Exec {
  return async function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { execa } = await import('execa');
    const command = [file, ...args].join(' ');
    log.debug({ command }, 'exec');
    const result = await execa(file, args as string[], {
      input: options.input,
      timeout: options.timeoutMs,
      cancelSignal: options.signal,
      env: options.env,
      extendEnv: true,
      cwd: options.cwd,
      reject: false,
      stripFinalNewline: true,
      forceKillAfterDelay: 2000,
    });
    const out: ExecResult = { command, exitCode: result.exitCode ?? -1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
    if (result.failed && options.reject !== false) {
      const why = result.timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : result.isCanceled
          ? 'was cancelled'
          : (result as { code?: string }).code === 'ENOENT'
            ? `not found (is ${file} installed?)`
            : `exited with ${result.exitCode ?? result.signal}`;
      const stderr = out.stderr.trim().slice(0, STDERR_LIMIT);
      throw new DsError(result.timedOut ? 'DS_ERR_TIMEOUT' : 'DS_ERR_HOST_TOOL', `${command}: ${why}${stderr ? `: ${stderr}` : ''}`, {
        details: { command, exitCode: out.exitCode, stderr },
      });
    }
    return out;
  };
}
