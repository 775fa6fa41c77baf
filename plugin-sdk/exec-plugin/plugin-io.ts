import { CONTRACT_VERSION, type ErrorEnvelope } from './contract.js';

/** Where a plugin process reads and writes; every field defaults to the real process. */
export interface ExecPluginIO {
  /** `[<program>, <command>]` (Go's `os.Args`); default `process.argv.slice(1)`. */
  argv?: readonly string[];
  /** The PluginInput document, or a stream to read it from; default `process.stdin`. */
  stdin?: string | AsyncIterable<string | Buffer>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Default `process.env` (read for `DOCKERSNAP_LOG_LEVEL`). */
  env?: Record<string, string | undefined>;
  /** Call `process.exit(code)` when done (default true). Tests pass false and use the returned code. */
  exit?: boolean;
  /** Clock for log timestamps. */
  now?: () => Date;
}

/** The resolved IO of one run: ordered writes and a flush before exit. */
export class PluginOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;

  constructor(io: ExecPluginIO) {
    this.stdout = io.stdout ?? process.stdout;
    this.stderr = io.stderr ?? process.stderr;
  }

  out(text: string): void {
    this.stdout.write(text);
  }

  err(text: string): void {
    this.stderr.write(text);
  }

  /** A response document: 2-space indented JSON and a newline (§14). */
  json(doc: unknown): void {
    this.out(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /** The §14 "error": envelope on stdout, the message on stderr; the caller exits 1. */
  fail(message: string, details?: string): void {
    const envelope: ErrorEnvelope = { contract_version: CONTRACT_VERSION, error: message, ...(details ? { details } : {}) };
    this.json(envelope);
    this.err(`${message}\n`);
  }

  /** Resolves once everything written so far has been handed to the OS. */
  async flush(): Promise<void> {
    await Promise.all(
      [this.stdout, this.stderr].map(
        (s) =>
          new Promise<void>((resolve) => {
            s.write('', () => resolve());
          }),
      ),
    );
  }
}

/** Reads the whole of stdin as UTF-8. */
export async function readAll(stdin: string | AsyncIterable<string | Buffer>): Promise<string> {
  if (typeof stdin === 'string') return stdin;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
