/** The body as the text it carries: http-echo (and our busybox script) append one newline. */
export function replyText(body: string): string {
  return body.endsWith('\n') ? body.slice(0, -1) : body;
}
