/**
 * JSON decoding with the error texts of Go's `encoding/json`, for the cases a plugin or a
 * daemon actually meets (empty output, plain text, truncated documents, a document of the
 * wrong kind), so messages read like the original's. Other syntax errors keep V8's text.
 */

export type GoJsonResult = { ok: true; value: unknown } | { ok: false; error: string };

const VALUE_START = /[{["\-0-9tfn]/;

/** Go's quoting of a character in `invalid character 'x' …`. */
function quoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '\n') return "'\\n'";
  if (ch === '\r') return "'\\r'";
  if (ch === '\t') return "'\\t'";
  const code = ch.codePointAt(0)!;
  return code < 0x20 ? `'\\x${code.toString(16).padStart(2, '0')}'` : `'${ch}'`;
}

/** The error text Go would give for a document `JSON.parse` rejected. */
export function goSyntaxError(text: string, err: unknown): string {
  const trimmed = text.replace(/^[ \t\r\n]+/, '');
  if (trimmed === '') return 'unexpected end of JSON input';
  const first = [...trimmed][0]!;
  if (!VALUE_START.test(first)) return `invalid character ${quoteChar(first)} looking for beginning of value`;
  const message = err instanceof Error ? err.message : String(err);
  if (/end of JSON input/i.test(message)) return 'unexpected end of JSON input';
  return message;
}

/** Parses a whole document (surrounding whitespace allowed). */
export function parseGoJson(text: string): GoJsonResult {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: goSyntaxError(text, err) };
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/**
 * Parses a document that must be a JSON object (Go: unmarshal into a struct). `null`
 * decodes to `{}` as Go leaves the struct at its zero value.
 * @param goType the struct name used in the "cannot unmarshal" text.
 */
export function parseGoObject(text: string, goType: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  const r = parseGoJson(text);
  if (!r.ok) return r;
  if (r.value === null) return { ok: true, value: {} };
  if (typeof r.value !== 'object' || Array.isArray(r.value)) return { ok: false, error: `json: cannot unmarshal ${kindOf(r.value)} into Go value of type ${goType}` };
  return { ok: true, value: r.value as Record<string, unknown> };
}
