import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** Where a forward's connections go. */
export interface DialTarget {
  /** The instance's namespace address (`nsIp`). */
  host: string;
  /** The port Docker published inside the namespace. */
  port: number;
  /** `/run/netns/ds-<name>`: for the fallback dial from inside the namespace. */
  netnsPath: string;
}

export interface DialOptions {
  /** Give up on the direct dial after this long. */
  timeoutMs: number;
  /** Whether `nsenter … socat` may be used when the direct dial fails. */
  fallback: boolean;
}

/** How a connection reached its target. */
export type DialPath = 'direct' | 'nsenter';

/** A direct TCP connection to `host:port`, half-close enabled; rejects on error or timeout. */
export function dialDirect(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/**
 * `nsenter --net=<netns> -- socat - TCP:127.0.0.1:<port>` as a duplex stream: reaches
 * publishers bound to the namespace's loopback, which the namespace address does not
 * answer for. Resolves once the process runs; killed when the stream closes.
 * Spawned directly, not through the exec wrapper: that one runs a command to completion and
 * returns its output, while this process *is* the connection for as long as it lasts.
 */
export function dialViaNsenter(netnsPath: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    // -t: after one side's EOF socat would give the other side only 0.5 s; the connection's
    // own close ends the process instead (it is killed with the stream).
    const child = spawn('nsenter', [`--net=${netnsPath}`, '--', 'socat', '-t', '86400', '-', `TCP:127.0.0.1:${port}`], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.once('error', reject);
    child.once('spawn', () => {
      const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
      stream.once('close', () => child.kill('SIGKILL'));
      resolve(stream);
    });
  });
}

/**
 * Connects to the target: directly to `host:port` (Docker publishes on 0.0.0.0 inside the
 * namespace, so that is the normal path), and — when that fails and `fallback` is on —
 * from inside the namespace via nsenter + socat. Rejects with the direct dial's error when
 * both fail to start.
 */
export async function dialTarget(target: DialTarget, options: DialOptions): Promise<{ stream: Duplex; path: DialPath }> {
  try {
    return { stream: await dialDirect(target.host, target.port, options.timeoutMs), path: 'direct' };
  } catch (err) {
    if (!options.fallback) throw err;
    try {
      return { stream: await dialViaNsenter(target.netnsPath, target.port), path: 'nsenter' };
    } catch {
      throw err;
    }
  }
}
