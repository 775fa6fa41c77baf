/** The host the daemon's forwards listen on, as seen from the daemon itself. */
export function forwardHost(proxyBind: string): string {
  const bind = proxyBind.trim();
  if (bind === '' || bind === '0.0.0.0') return '127.0.0.1';
  if (bind === '::' || bind === '[::]') return '[::1]';
  return bind.includes(':') && !bind.startsWith('[') ? `[${bind}]` : bind;
}
