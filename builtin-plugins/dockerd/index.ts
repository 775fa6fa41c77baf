import { SkipPlugin, definePlugin, dockerdCapability, missingTool, parseDurationMs } from '../../plugin-sdk/index.js';
import { HostDockerd } from './host-dockerd.js';
import { clearPublishedPorts } from './clone-ports.js';

const PLUGIN_NAME = 'dockerd';

/** Plugin config (`plugins.config.dockerd`); durations are Go durations. */
interface DockerdConfig {
  ready_timeout: string;
  stop_timeout: string;
  container_stop_timeout: string;
  watch: boolean;
  watch_interval: string;
  restart_max: number;
  restart_window: string;
  restart_backoff: string;
  config_dir: string;
  log_dir: string;
  preserve_fs_types: string[];
}

const duration = (fallback: string, description: string) => ({ type: 'string', default: fallback, description });

/**
 * Provides `dockerdCapability`: one dockerd per instance in its network namespace,
 * supervised without systemd. Skips when dockerd or nsenter is missing or not root.
 * Closing the plugin stops the watching, never the daemons.
 */
export default definePlugin<DockerdConfig>({
  id: PLUGIN_NAME,
  version: '0.1.0',
  description: 'One supervised dockerd per instance, inside its network namespace, with robust stop',
  provides: [dockerdCapability],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ready_timeout: duration('60s', 'how long start waits for the API to answer'),
      stop_timeout: duration('60s', 'SIGTERM to SIGKILL deadline for dockerd'),
      container_stop_timeout: duration('10s', 'per-container stop timeout before dockerd stops'),
      watch: { type: 'boolean', default: true, description: 'restart a dockerd that exits unexpectedly' },
      watch_interval: duration('1s', 'liveness poll interval'),
      restart_max: { type: 'integer', minimum: 0, default: 5, description: 'restarts allowed per restart_window' },
      restart_window: duration('10m', 'window for restart_max'),
      restart_backoff: duration('1s', 'first restart delay, doubled per restart (max 30s)'),
      config_dir: { type: 'string', default: '', description: 'daemon.json directory; empty: <data_dir>/daemon-configs' },
      log_dir: { type: 'string', default: '', description: 'dockerd log directory; empty: <data_dir>/logs' },
      preserve_fs_types: { type: 'array', items: { type: 'string' }, default: ['zfs', 'fuse.zfs', 'btrfs'], description: 'storage-owned mounts below a data root, never unmounted' },
    },
  },
  async setup(ctx) {
    const missing = missingTool(['dockerd', 'nsenter', 'umount']);
    if (missing) throw new SkipPlugin(`${missing} is not installed`);
    if (process.getuid?.() !== 0) throw new SkipPlugin('running dockerd needs root');
    const c = ctx.config;
    const supervisor = new HostDockerd(ctx.exec, ctx.log, ctx.settings, {
      readyTimeoutMs: parseDurationMs(c.ready_timeout, 60_000),
      daemonStopTimeoutMs: parseDurationMs(c.stop_timeout, 60_000),
      containerStopTimeoutSec: Math.ceil(parseDurationMs(c.container_stop_timeout, 10_000) / 1000),
      configDir: c.config_dir,
      logDir: c.log_dir,
      preserveFsTypes: c.preserve_fs_types,
      stateDir: ctx.paths.state,
      watch: c.watch && {
        intervalMs: parseDurationMs(c.watch_interval, 1000),
        maxRestarts: c.restart_max,
        windowMs: parseDurationMs(c.restart_window, 600_000),
        backoffMs: parseDurationMs(c.restart_backoff, 1000),
      },
    });
    ctx.provide(dockerdCapability, supervisor);
    // A clone's data root is a copy of its source's: clear the copied host ports before its dockerd starts.
    ctx.hooks.storageReady.tap({ name: 'clone-ports' }, async (c) => {
      if (c.op !== 'clone') return;
      const changed = await clearPublishedPorts(c.dataset.mountpoint);
      if (changed.length > 0) ctx.log.info({ instance: c.instance, containers: changed.length }, 'cleared published host ports in the clone');
    });
    ctx.onClose(() => supervisor.close());
    await supervisor.adoptRunning();
  },
});
