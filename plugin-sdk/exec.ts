/** Options of the one exec wrapper all host commands go through. */
export interface ExecOptions {
  /** Text written to stdin. */
  input?: string;
  /** Kill the process (group) after this many ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Resolve instead of throwing on a non-zero exit. */
  reject?: boolean;
}

export interface ExecResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a host command without a shell. Tagged in logs with the calling plugin.
 * @throws DsError DS_ERR_HOST_TOOL on a non-zero exit (unless `reject: false`), a missing
 * binary, or a timeout; the message carries the command and its stderr.
 */
export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;
