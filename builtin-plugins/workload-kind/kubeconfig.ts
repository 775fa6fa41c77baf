/**
 * The kubeconfig `kind get kubeconfig` prints, made usable from outside the instance: the
 * API server's in-namespace loopback address becomes the daemon's forward of it.
 */

/** The label the port proxy gives the forward of in-container port 6443. */
export const API_LABEL = 'kubernetes-api';

/** What `access` puts in place of the local server address (tokens resolved by the daemon). */
export const SERVER_TOKEN = `\${HOST}:\${PORT:${API_LABEL}}`;

const LOCAL_SERVER = /^(\s*server:\s*)(https?):\/\/(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\]):\d+.*$/m;

/** The first cluster server URL of a kubeconfig, split, or undefined when there is none. */
export function serverUrl(kubeconfig: string): { scheme: 'http' | 'https'; host: string; port: number } | undefined {
  const m = /^\s*server:\s*(https?):\/\/(\[[^\]]+\]|[^:/\s]+)(?::(\d+))?/m.exec(kubeconfig);
  if (!m) return undefined;
  const scheme = m[1] as 'http' | 'https';
  return { scheme, host: m[2]!, port: m[3] ? Number(m[3]) : scheme === 'https' ? 443 : 80 };
}

/**
 * Rewrites a kind kubeconfig for the access bundle:
 * 1. the first `server:` on a loopback address (`127.0.0.1`, `localhost`, `0.0.0.0`, `[::1]`)
 *    becomes `<scheme>://${HOST}:${PORT:kubernetes-api}` — the scheme is kept (real kind:
 *    https; fake-kind: http), where the reference plugin always writes https;
 * 2. every `certificate-authority-data:` line becomes `insecure-skip-tls-verify: true` with the
 *    same indentation (the API server's certificate does not name the daemon's host).
 * @returns the patched text, the scheme, and whether a server line was rewritten.
 */
export function rewriteKubeconfig(raw: string): { content: string; scheme: 'http' | 'https'; rewritten: boolean } {
  let scheme = serverUrl(raw)?.scheme ?? 'https';
  let rewritten = false;
  let content = raw.replace(LOCAL_SERVER, (_line, prefix: string, s: string) => {
    rewritten = true;
    scheme = s as 'http' | 'https';
    return `${prefix}${s}://${SERVER_TOKEN}`;
  });
  content = content.replace(/^(\s*)certificate-authority-data:.*$/gm, '$1insecure-skip-tls-verify: true');
  return { content, scheme, rewritten };
}
