import type { Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the fake daemon received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type FakeDaemonHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A throwaway HTTP server on 127.0.0.1 playing the daemon (ours or the original); closed at teardown. */
export async function fakeDaemon(t: Test, handler: FakeDaemonHandler): Promise<{ url: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}
