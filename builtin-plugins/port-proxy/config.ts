import { parseGoDuration, type DockersnapConfig } from '../../plugin-sdk/index.js';
import type { PortProxyOptions } from './port-proxy-service.js';

/** `plugins.config.port-proxy`. Durations are Go durations. */
export interface PortProxyConfig {
  /** Rescan running instances that have no forwards this often (the original's watcher); `0s` turns it off. */
  rescan_interval: string;
  /** Wait this long after a container start/die event before rescanning (events in between are merged). */
  event_debounce: string;
  /** Give up on the direct dial of one connection after this long. */
  dial_timeout: string;
  /** Deadline of one Docker API call during a scan. */
  scan_timeout: string;
  /** Connections one forward serves at once. */
  max_connections: number;
  /** Add a DNAT rule inside the namespace for publishes bound to 127.0.0.1. */
  loopback_dnat: boolean;
  /** When the direct dial fails, connect from inside the namespace with `nsenter … socat`. */
  nsenter_fallback: boolean;
}

/** A non-negative Go duration (`500ms`, `30s`, `1m30s`, `0s`); signs and bare numbers other than 0 are refused. */
const GO_DURATION = '^(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$';
const duration = (fallback: string, description: string) => ({ type: 'string', pattern: GO_DURATION, default: fallback, description });

export const portProxyConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rescan_interval: duration('30s', 'periodic rescan of running instances without forwards; 0s disables it'),
    event_debounce: duration('500ms', 'delay between a container start/die event and the rescan'),
    dial_timeout: duration('5s', 'direct dial timeout of one proxied connection'),
    scan_timeout: duration('10s', 'deadline of one Docker API call during a scan'),
    max_connections: { type: 'integer', minimum: 1, maximum: 65536, default: 1024, description: 'connections one forward serves at once' },
    loopback_dnat: { type: 'boolean', default: true, description: 'DNAT rule in the namespace for publishes bound to 127.0.0.1' },
    nsenter_fallback: { type: 'boolean', default: true, description: 'dial through nsenter + socat when the direct dial fails' },
  },
} as const;

/**
 * Turns the validated config and the daemon settings into the service options.
 * `tools` says which of the optional paths the host can run.
 */
export function resolveOptions(config: Readonly<PortProxyConfig>, settings: Pick<DockersnapConfig, 'api'>, tools: { dnat: boolean; nsenter: boolean }): PortProxyOptions {
  const ms = (text: string) => Math.max(0, parseGoDuration(text));
  return {
    bind: settings.api.proxy_bind.trim() || '127.0.0.1',
    rescanIntervalMs: ms(config.rescan_interval),
    eventDebounceMs: ms(config.event_debounce),
    dialTimeoutMs: ms(config.dial_timeout) || 5000,
    scanTimeoutMs: ms(config.scan_timeout) || 10_000,
    maxConnections: config.max_connections,
    loopbackDnat: config.loopback_dnat && tools.dnat,
    nsenterFallback: config.nsenter_fallback && tools.nsenter,
  };
}
