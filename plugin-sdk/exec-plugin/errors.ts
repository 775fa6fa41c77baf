/**
 * Thrown by a handler to fail with extra text: `details` goes into the stdout error envelope
 * (§6.8) next to the message. Any other thrown value fails the same way, without details.
 */
export class ExecPluginError extends Error {
  readonly details: string | undefined;

  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExecPluginError';
    this.details = options.details;
  }
}

/** Thrown by a `validate` handler to report several problems at once (`errors` gets them all). */
export class ValidationError extends Error {
  readonly errors: string[];

  constructor(errors: readonly string[]) {
    super(errors.join('; '));
    this.name = 'ValidationError';
    this.errors = [...errors];
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
