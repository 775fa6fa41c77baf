import type { Logger } from '../../plugin-sdk/index.js';
import { dockerClient } from './docker-scan.js';

export interface EventWatchOptions {
  socketPath: string;
  /** Events within this window after the first one cause one `onChange`. */
  debounceMs: number;
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Called (debounced) after container start/die events, and after a reconnect (events may have been missed). */
  onChange: (reason: 'event' | 'reconnect') => void;
  log: Logger;
}

/**
 * Follows one instance's Docker event stream (container `start` and `die` only). When the
 * stream ends — dockerd stopped, crashed or was restarted by its supervisor — it reconnects
 * with backoff until `stop()`, and asks for a rescan once it is back. Timers are unref'd.
 */
export class EventWatch {
  private stopped = false;
  private firstAttempt = true;
  private attempt = 0;
  private generation = 0;
  private abort: AbortController | undefined;
  private stream: NodeJS.ReadableStream | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  /** Events seen since start (for logs and tests). */
  events = 0;

  constructor(private readonly options: EventWatchOptions) {}

  /** Whether the stream is open now. */
  get connected(): boolean {
    return this.stream !== undefined;
  }

  /** Opens the stream; resolves once the first attempt connected or failed (then it retries in the background). */
  start(): Promise<boolean> {
    return this.connect();
  }

  /** Closes the stream and cancels pending timers. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.generation += 1;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.debounceTimer);
    this.abort?.abort();
    (this.stream as { destroy?: () => void } | undefined)?.destroy?.();
    this.stream = undefined;
  }

  private async connect(): Promise<boolean> {
    const gen = ++this.generation;
    const isFirst = this.firstAttempt;
    this.firstAttempt = false;
    this.abort = new AbortController();
    let stream: NodeJS.ReadableStream;
    try {
      const docker = await dockerClient(this.options.socketPath);
      stream = await docker.getEvents({ filters: { type: ['container'], event: ['start', 'die'] }, abortSignal: this.abort.signal } as Parameters<typeof docker.getEvents>[0]);
    } catch (err) {
      if (gen === this.generation && !this.stopped) this.retry(err);
      return false;
    }
    if (gen !== this.generation || this.stopped) {
      (stream as { destroy?: () => void }).destroy?.();
      return false;
    }
    this.stream = stream;
    this.attempt = 0;
    const lost = (err?: unknown) => {
      if (gen !== this.generation || this.stopped) return;
      this.stream = undefined;
      this.retry(err ?? new Error('event stream ended'));
    };
    stream.on('data', () => this.onEvent());
    stream.on('error', lost);
    stream.once('end', () => lost());
    stream.once('close', () => lost());
    if (!isFirst) {
      this.options.log.debug({ socket: this.options.socketPath }, 'docker event stream reconnected');
      this.options.onChange('reconnect');
    }
    return true;
  }

  private retry(err: unknown): void {
    this.generation += 1;
    const delay = Math.min(this.options.backoffMs * 2 ** this.attempt, this.options.maxBackoffMs);
    this.attempt += 1;
    this.options.log.debug({ socket: this.options.socketPath, delayMs: delay, err: err instanceof Error ? err.message : String(err) }, 'docker event stream unavailable; retrying');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private onEvent(): void {
    this.events += 1;
    if (this.debounceTimer || this.stopped) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      if (!this.stopped) this.options.onChange('event');
    }, this.options.debounceMs);
    this.debounceTimer.unref();
  }
}
