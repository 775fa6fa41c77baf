import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SkipPlugin, definePlugin, storageCapability, type AnyPluginDefinition } from '../../plugin-sdk/index.js';
import { resolveZfsOptions, zfsConfigSchema, type ZfsConfig } from './config.js';
import { ZfsDriver } from './zfs-driver.js';

const PLUGIN_NAME = 'storage-zfs';

/** Where setup looks for a ZFS that can answer (tests point these at scratch files). */
export interface ZfsHostPaths {
  /** Present while the ZFS kernel module is loaded. */
  module: string;
  /** The unix socket a running zfs-fuse daemon listens on (zpool and zfs talk to it). */
  fuseSocket: string;
}

/** The real locations. */
export const ZFS_HOST_PATHS: Readonly<ZfsHostPaths> = Object.freeze({ module: '/sys/module/zfs', fuseSocket: '/var/run/zfs/zfs_socket' });

/** Whether `tool` is an executable file in a `$PATH` directory (where exec finds it). Spawns nothing. */
function onPath(tool: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Why this host cannot run the plugin, or undefined when it can. Only cheap checks (PATH,
 * the module's sysfs folder, the zfs-fuse socket): whether ZFS really answers is found out
 * by the driver's `init()` on first use, which also starts zfs-fuse when configured to.
 */
function skipReason(config: Readonly<ZfsConfig>, paths: Readonly<ZfsHostPaths>): string | undefined {
  if (!onPath('zfs') || !onPath('zpool')) return 'zfs not found (install zfsutils-linux or zfs-fuse)';
  if (existsSync(paths.module) || existsSync(paths.fuseSocket)) return undefined;
  if (config.start_zfs_fuse && onPath('zfs-fuse')) return undefined;
  const fix = config.start_zfs_fuse ? 'zfs-fuse is not installed either' : 'set zfs.start_zfs_fuse to start zfs-fuse';
  return `no ZFS module or zfs-fuse daemon answers (no ${paths.module}, no ${paths.fuseSocket}); ${fix}`;
}

/**
 * The original dockersnap backend: datasets `<pool>/<prefix>/<name>` with recursive
 * snapshot, rollback and destroy. Reads the original's `zfs:` section. Pool creation and
 * starting zfs-fuse (both opt-in) happen in `init()`, never at setup.
 * @param paths where to look for the ZFS module and the zfs-fuse socket (tests only).
 */
export function createZfsPlugin(paths: Readonly<ZfsHostPaths> = ZFS_HOST_PATHS): AnyPluginDefinition {
  return definePlugin<ZfsConfig>({
    id: PLUGIN_NAME,
    version: '0.1.0',
    description: 'ZFS dataset storage (kernel module or zfs-fuse)',
    provides: [storageCapability],
    configKey: 'zfs',
    configSchema: zfsConfigSchema,
    setup(ctx) {
      const reason = skipReason(ctx.config, paths);
      if (reason) throw new SkipPlugin(reason);
      // Without the module, any ZFS that answers (or that init() starts) is zfs-fuse.
      const options = resolveZfsOptions(ctx.config, { onZfsFuse: !existsSync(paths.module), runDir: ctx.paths.run });
      ctx.provide(storageCapability, new ZfsDriver(options, { exec: ctx.exec, log: ctx.log }));
    },
  }) as AnyPluginDefinition;
}

export default createZfsPlugin();
