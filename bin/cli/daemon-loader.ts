/**
 * Imports the daemon (server, kernel, fastify, pino, ajv …) on demand. It lives at this level
 * so the relative path is the same from the plain modules and from the CLI bundle, which
 * leaves `../server/*` external: client commands never load any of it.
 */
export function loadDaemon(): Promise<typeof import('../server/daemon.js')> {
  return import('../server/daemon.js');
}
