import { readFile } from 'node:fs/promises';
import type { DockerdSpec, DockersnapConfig } from '../../plugin-sdk/index.js';
import { cgroupParent, type DockerdPaths } from './paths.js';

/** Resolver files read for host DNS servers, in order (instance-lifecycle §4 step 3). */
export const RESOLV_FILES = ['/run/systemd/resolve/resolv.conf', '/etc/resolv.conf'] as const;

/**
 * `nameserver` addresses of a resolv.conf, without loopback ones (`127.*`, `::1`): a
 * loopback resolver of the host is unreachable from inside the instance's namespace.
 */
export function parseNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m && !m[1]!.startsWith('127.') && m[1] !== '::1') out.push(m[1]!);
  }
  return out;
}

/** Host resolvers: the first of `files` that yields any non-loopback nameserver. */
export async function hostResolvers(files: readonly string[] = RESOLV_FILES): Promise<string[]> {
  for (const file of files) {
    const servers = parseNameservers(await readFile(file, 'utf8').catch(() => ''));
    if (servers.length > 0) return servers;
  }
  return [];
}

/** De-duplicated, empties dropped, order kept. */
function uniq(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

/**
 * The per-instance daemon.json (instance-lifecycle §4 step 4). Unlike the original, the
 * log options come from `docker.log_max_size` / `docker.log_max_file`.
 */
export function buildDaemonJson(spec: DockerdSpec, paths: DockerdPaths, docker: DockersnapConfig['docker'], resolvers: readonly string[]): Record<string, unknown> {
  return {
    'data-root': spec.dataRoot,
    'exec-root': paths.execRoot,
    pidfile: paths.pidFile,
    hosts: [`unix://${paths.socket}`],
    'storage-driver': spec.storageDriver,
    'cgroup-parent': cgroupParent(spec.instance),
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
    dns: uniq([spec.netns.hostIp, ...docker.dns, ...resolvers]),
    'log-driver': 'json-file',
    'log-opts': { 'max-file': String(docker.log_max_file), 'max-size': docker.log_max_size },
    iptables: true,
    'ip-masq': true,
    'live-restore': true,
    experimental: false,
  };
}

/** Environment of the dockerd process: PATH plus the configured proxies (both spellings). */
export function dockerdEnv(proxy: DockersnapConfig['docker']['proxy'], path = process.env.PATH): Record<string, string> {
  const env: Record<string, string> = { PATH: path || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  const pairs: Array<[string, string]> = [['HTTP_PROXY', proxy.http], ['HTTPS_PROXY', proxy.https], ['NO_PROXY', proxy.no_proxy]];
  for (const [name, value] of pairs) {
    if (!value) continue;
    env[name] = value;
    env[name.toLowerCase()] = value;
  }
  return env;
}
