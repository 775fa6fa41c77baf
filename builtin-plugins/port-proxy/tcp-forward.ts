import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../plugin-sdk/index.js';
import { dialTarget, type DialOptions, type DialTarget } from './dial.js';
import { LogLimiter } from './log-limiter.js';

export interface TcpForwardOptions {
  /** Host address to listen on (`api.proxy_bind`, empty ⇒ 127.0.0.1). */
  bind: string;
  /** The host port wanted; when busy, a kernel-chosen one is used instead. */
  port: number;
  target: DialTarget;
  dial: DialOptions;
  /** Connections served at once; more are refused by the listener. */
  maxConnections: number;
  log: Logger;
}

/** Peer resets are routine for a proxy: logged at debug only. */
const ROUTINE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/**
 * Pipes `a` and `b` into each other with half-close: when one side finishes sending, the
 * other side's write end is ended, and the connection lives on until both are done. An
 * error on either side, or either side closing, tears both down.
 */
export function splice(a: Duplex, b: Duplex, onError: (err: Error) => void): void {
  const teardown = () => {
    a.destroy();
    b.destroy();
  };
  for (const s of [a, b]) {
    s.on('error', (err: Error) => {
      onError(err);
      teardown();
    });
    s.once('close', teardown);
  }
  a.pipe(b);
  b.pipe(a);
}

/**
 * One host listener forwarding every accepted TCP connection to a port inside an instance's
 * namespace. Connection failures are logged (rate-limited) and never affect the listener.
 */
export class TcpForward {
  private readonly streams = new Set<Duplex>();
  private readonly clients = new Set<Socket>();
  private readonly limiter = new LogLimiter(10_000);
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    /** The host port actually listened on. */
    readonly hostPort: number,
    private readonly options: TcpForwardOptions,
  ) {
    server.on('connection', (client) => this.accept(client));
    server.on('error', (err) => this.report('listener', err));
    server.on('drop', () => this.report('listener', new Error(`connection refused: ${options.maxConnections} connections already open`)));
  }

  /**
   * Listens on `bind:port`, or on `bind:0` when that port is in use (EADDRINUSE).
   * @throws the listen error for anything else (EACCES, EADDRNOTAVAIL …).
   */
  static async open(options: TcpForwardOptions): Promise<TcpForward> {
    const make = () => {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
      server.maxConnections = options.maxConnections;
      return server;
    };
    let server = make();
    try {
      await listen(server, options.bind, options.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      server = make();
      await listen(server, options.bind, 0);
    }
    const address = server.address();
    const hostPort = typeof address === 'object' && address ? address.port : options.port;
    return new TcpForward(server, hostPort, options);
  }

  /** Connections being served now. */
  get connections(): number {
    return this.clients.size;
  }

  /** Stops listening and cuts every connection. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const s of this.streams) s.destroy();
    }
    return this.closing;
  }

  private track(stream: Duplex): void {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
  }

  private accept(client: Socket): void {
    this.track(client);
    this.clients.add(client);
    client.once('close', () => this.clients.delete(client));
    let spliced = false;
    client.on('error', (err) => {
      if (!spliced) {
        this.report('client', err);
        client.destroy();
      }
    });
    dialTarget(this.options.target, this.options.dial).then(
      ({ stream }) => {
        if (this.closing || client.destroyed) {
          stream.destroy();
          return;
        }
        this.track(stream);
        spliced = true;
        splice(client, stream, (err) => this.report('connection', err));
        client.resume();
      },
      (err: Error) => {
        this.report('dial', err);
        client.destroy();
      },
    );
  }

  private report(where: string, err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    const fields = { hostPort: this.hostPort, target: `${this.options.target.host}:${this.options.target.port}`, where, code, err: err.message };
    if (code && ROUTINE.has(code)) return this.options.log.debug(fields, 'port forward connection closed by a peer');
    const suppressed = this.limiter.take();
    if (suppressed !== undefined) this.options.log.warn({ ...fields, ...(suppressed ? { suppressed } : {}) }, 'port forward connection failed');
  }
}
