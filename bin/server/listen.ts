import { DsError } from '../../kernel/errors.js';

/** A parsed `api.listen` value. */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `api.listen` (`host:port`, `[v6]:port`, or `:port` for every interface, as Go's
 * net.Listen accepts it). Port 0 asks the kernel for a free port.
 * @throws DsError DS_ERR_CONFIG when the value is not `host:port`.
 */
export function parseListen(listen: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new DsError('DS_ERR_CONFIG', `api.listen ${JSON.stringify(listen)} must be host:port (e.g. 127.0.0.1:9847)`, { details: { key: 'api.listen', value: listen } });
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
