import { spawn, type ChildProcess } from 'node:child_process';
import { LineSplitter } from './line-splitter.js';

/** stderr kept for error messages (§9: the first 64 KiB). */
export const STDERR_KEEP_BYTES = 64 * 1024;
/** A JSON response larger than this is refused rather than held in memory. */
export const STDOUT_MAX_BYTES = 64 * 1024 * 1024;
/** For NDJSON commands only the tail is kept, to find an error envelope after a failure. */
export const STDOUT_TAIL_BYTES = 64 * 1024;
/**
 * After the plugin itself exits, how long its stdout/stderr may stay open (held by a
 * background process it started) before the runner stops reading. Those processes are left
 * alone, as the original does; only a timeout or a cancellation kills the whole group.
 */
export const PIPE_GRACE_MS = 500;

export interface PluginProcessOptions {
  /** Absolute path of the executable; argv is exactly `[path, command]`. */
  path: string;
  command: string;
  /** Written to stdin, then EOF. `undefined`: stdin is the null device. */
  stdin?: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** `lines`: stdout is NDJSON delivered line by line (only a tail is kept); `document`: kept whole. */
  stdoutMode: 'lines' | 'document';
  onStdoutLine?: (line: string) => void;
  onStderrLine: (line: string) => void;
  /** A stdout line over 1 MiB was skipped. */
  onOverlong?: (stream: 'stdout' | 'stderr', bytes: number) => void;
}

export interface PluginProcessOutcome {
  pid: number | undefined;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The process could not be started (ENOENT, EACCES, ENOEXEC …). */
  spawnError?: NodeJS.ErrnoException;
  timedOut: boolean;
  cancelled: boolean;
  /** The whole document (`document`) or its last 64 KiB (`lines`). */
  stdout: Buffer;
  stdoutOverflow: boolean;
  /** The first 64 KiB of stderr. */
  stderr: string;
}

/** Bounded byte collector: whole (up to a cap) or a rolling tail. */
class Collector {
  private chunks: Buffer[] = [];
  private size = 0;
  overflow = false;

  constructor(
    private readonly cap: number,
    private readonly keep: 'head' | 'tail',
  ) {}

  add(chunk: Buffer): void {
    if (this.keep === 'head') {
      const room = this.cap - this.size;
      if (room <= 0 || chunk.length > room) this.overflow = true;
      if (room > 0) this.push(chunk.subarray(0, room));
      return;
    }
    this.push(chunk);
    if (this.size > this.cap * 2) this.compact();
  }

  bytes(): Buffer {
    const all = Buffer.concat(this.chunks, this.size);
    return this.keep === 'tail' && all.length > this.cap ? all.subarray(all.length - this.cap) : all;
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private compact(): void {
    const b = this.bytes();
    this.chunks = [b];
    this.size = b.length;
  }
}

/**
 * Kills the plugin's whole process group (it was started as a group leader), so helpers it
 * forked die with it; falls back to the direct child if the group is already gone.
 */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function wireStreams(child: ChildProcess, o: PluginProcessOptions, stdout: Collector, stderr: Collector): { endLines: () => void } {
  const outLines = o.stdoutMode === 'lines' ? new LineSplitter((l) => o.onStdoutLine?.(l), (n) => o.onOverlong?.('stdout', n)) : undefined;
  const errLines = new LineSplitter(o.onStderrLine, (n) => o.onOverlong?.('stderr', n));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout.add(chunk);
    outLines?.push(chunk);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr.add(chunk);
    errLines.push(chunk);
  });
  if (o.stdin !== undefined) {
    // A plugin that exits without reading its input must not crash us with EPIPE.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(o.stdin);
  }
  return {
    endLines: () => {
      outLines?.end();
      errLines.end();
    },
  };
}

/**
 * Arms the deadline and the cancellation: either SIGKILLs the whole group and marks why.
 * @returns a disarm function.
 */
function armKillers(child: ChildProcess, o: PluginProcessOptions, outcome: PluginProcessOutcome): () => void {
  const timer = setTimeout(() => {
    outcome.timedOut = true;
    killGroup(child);
  }, o.timeoutMs);
  const onAbort = () => {
    outcome.cancelled = true;
    killGroup(child);
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  };
}

/**
 * Spawns one plugin command — detached into its own process group, so a timeout or a
 * cancellation can SIGKILL the plugin *and* everything it started — and resolves when it
 * has exited and its output is read. Never rejects: failures are in the outcome.
 */
export function runPluginProcess(o: PluginProcessOptions): Promise<PluginProcessOutcome> {
  return new Promise((resolve) => {
    const stdout = new Collector(o.stdoutMode === 'document' ? STDOUT_MAX_BYTES : STDOUT_TAIL_BYTES, o.stdoutMode === 'document' ? 'head' : 'tail');
    const stderr = new Collector(STDERR_KEEP_BYTES, 'head');
    const outcome: PluginProcessOutcome = { pid: undefined, exitCode: null, signal: null, timedOut: false, cancelled: false, stdout: Buffer.alloc(0), stdoutOverflow: false, stderr: '' };
    const child = spawn(o.path, [o.command], { detached: true, env: o.env, stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    outcome.pid = child.pid;
    const { endLines } = wireStreams(child, o, stdout, stderr);
    const disarm = armKillers(child, o, outcome);
    let grace: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      disarm();
      clearTimeout(grace);
      endLines();
      Object.assign(outcome, { stdout: stdout.bytes(), stdoutOverflow: stdout.overflow, stderr: stderr.bytes().toString('utf8') });
      resolve(outcome);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Only a failed start matters here (no pid); a failed kill of a finished child does not.
      if (child.pid !== undefined) return;
      outcome.spawnError = err;
      settle();
    });
    child.on('exit', (code, signal) => {
      Object.assign(outcome, { exitCode: code, signal });
      grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle();
      }, PIPE_GRACE_MS);
    });
    child.on('close', settle);
  });
}
