/** Texts the way Go's runtime prints them, so runner errors read like the original's. */

const SIGNALS: Readonly<Record<string, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGQUIT: 'quit',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGPIPE: 'broken pipe',
  SIGBUS: 'bus error',
  SIGFPE: 'floating point exception',
  SIGILL: 'illegal instruction',
  SIGTRAP: 'trace/breakpoint trap',
  SIGALRM: 'alarm clock',
  SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2',
};

/** `SIGKILL` → `killed` (Go's `syscall.Signal.String`). */
export function goSignal(signal: string): string {
  return SIGNALS[signal] ?? signal;
}

const ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOEXEC: 'exec format error',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ETXTBSY: 'text file busy',
  ENOMEM: 'cannot allocate memory',
  E2BIG: 'argument list too long',
  EMFILE: 'too many open files',
};

/** `<op> <path>: <strerror>` as Go's `*PathError` prints, e.g. `open /x: permission denied`. */
export function goPathError(op: string, path: string, err: NodeJS.ErrnoException): string {
  return `${op} ${path}: ${(err.code && ERRNO[err.code]) ?? err.message}`;
}

/** Go's `time.Duration.String` for whole milliseconds: `500ms`, `5s`, `1m30s`, `10m0s`, `1h0m0s`. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
