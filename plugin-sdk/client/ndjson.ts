import type { ProgressEvent } from './types.js';

/** The one media type that starts a progress stream (api-v1 §4.1: exact string equality). */
export const NDJSON = 'application/x-ndjson';

/** Parses one NDJSON line; `undefined` for empty, non-JSON or non-event lines (api-v1 §4.5). */
export function parseEventLine(line: string): ProgressEvent | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['step'] !== 'string' || typeof v['status'] !== 'string') return undefined;
  const event: ProgressEvent = { step: v['step'], status: v['status'] };
  if (typeof v['message'] === 'string' && v['message'] !== '') event.message = v['message'];
  if (typeof v['code'] === 'string' && v['code'] !== '') event.code = v['code'];
  return event;
}

/** Splits a byte stream into progress events as they arrive, skipping lines that are not events. */
export async function* readEvents(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<ProgressEvent> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const event = parseEventLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (event) yield event;
      newline = buffered.indexOf('\n');
    }
  }
  const last = parseEventLine(buffered + decoder.decode());
  if (last) yield last;
}

/**
 * The outcome of a finished stream by the clients' rule (api-v1 §4.5): it failed iff any event
 * had status `error`, and the message is that of the last such event.
 */
export function streamFailure(events: readonly ProgressEvent[]): string | undefined {
  const errors = events.filter((e) => e.status === 'error');
  return errors.length === 0 ? undefined : (errors[errors.length - 1]!.message ?? errors[errors.length - 1]!.step);
}
