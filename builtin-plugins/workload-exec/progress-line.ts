import type { ProgressEvent } from '../../plugin-sdk/index.js';

/** The §6.8 error envelope, when a plugin wrote one. */
export interface Envelope {
  error: string;
  details?: string;
}

export type ProgressLine = { kind: 'blank' } | { kind: 'invalid'; reason: string } | { kind: 'event'; event: ProgressEvent } | { kind: 'envelope'; envelope: Envelope };

/** `{error: string, details?}` without progress fields. */
export function asEnvelope(v: unknown): Envelope | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['error'] !== 'string' || o['error'] === '' || 'step' in o || 'status' in o) return undefined;
  return { error: o['error'], ...(typeof o['details'] === 'string' && o['details'] !== '' ? { details: o['details'] } : {}) };
}

/**
 * One stdout line of `deploy`/`teardown` (§8). Only `step`, `status` and `message` are kept;
 * a field of the wrong type makes the line invalid (Go's decoder rejects it), missing ones
 * are empty. An envelope line (`{"error": …}`, no step/status) is not a progress event: it is
 * kept for the error message instead of being forwarded.
 */
export function parseProgressLine(line: string): ProgressLine {
  const text = line.trim();
  if (text === '') return { kind: 'blank' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', reason: err instanceof Error ? err.message : String(err) };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { kind: 'invalid', reason: 'not a JSON object' };
  const envelope = asEnvelope(v);
  if (envelope) return { kind: 'envelope', envelope };
  const o = v as Record<string, unknown>;
  for (const k of ['step', 'status', 'message']) {
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== 'string') return { kind: 'invalid', reason: `${k} is not a string` };
  }
  const message = typeof o['message'] === 'string' && o['message'] !== '' ? o['message'] : undefined;
  const event = { step: (o['step'] as string | undefined) ?? '', status: ((o['status'] as string | undefined) ?? '') as ProgressEvent['status'], ...(message ? { message } : {}) };
  return { kind: 'event', event };
}

/**
 * Finds an error envelope at the end of a failed command's stdout: a compact line or a
 * pretty-printed document (the SDKs write it 2-space indented, across lines).
 */
export function trailingEnvelope(stdout: string): Envelope | undefined {
  const lines = stdout.split('\n');
  let tries = 0;
  for (let i = lines.length - 1; i >= 0 && tries < 64; i--) {
    if (!lines[i]!.trimStart().startsWith('{')) continue;
    tries++;
    try {
      const envelope = asEnvelope(JSON.parse(lines.slice(i).join('\n')));
      if (envelope) return envelope;
    } catch {
      // not a complete document from here; look further up
    }
  }
  return undefined;
}
