import { SkipPlugin, definePlugin, storageCapability, type Exec } from '../../plugin-sdk/index.js';
import { resolveZfsOptions, zfsConfigSchema, type ZfsConfig } from './config.js';
import { ZfsDriver } from './zfs-driver.js';
import { onZfsFuse, zfsAnswers } from './zfs-pool.js';

const PLUGIN_NAME = 'storage-zfs';

/** Whether `file` can be run at all (exit code -1 is the exec wrapper's "could not spawn"). */
async function runnable(exec: Exec, file: string, args: readonly string[]): Promise<boolean> {
  return (await exec(file, args, { reject: false, timeoutMs: 10_000 })).exitCode !== -1;
}

/** Why this host cannot run the plugin, or undefined when it can. */
async function skipReason(exec: Exec, config: Readonly<ZfsConfig>): Promise<string | undefined> {
  if (!(await runnable(exec, 'zfs', ['help']))) return 'zfs not found (install zfsutils-linux or zfs-fuse)';
  const state = await zfsAnswers(exec);
  if (state.ok) return undefined;
  if (config.start_zfs_fuse && (await runnable(exec, 'zfs-fuse', ['--help']))) return undefined;
  return `no ZFS module or zfs-fuse daemon answers (${state.reason})${config.start_zfs_fuse ? '' : '; set zfs.start_zfs_fuse to start zfs-fuse'}`;
}

/**
 * The original dockersnap backend: datasets `<pool>/<prefix>/<name>` with recursive
 * snapshot, rollback and destroy. Reads the original's `zfs:` section. Pool creation and
 * starting zfs-fuse (both opt-in) happen in `init()`, never at setup.
 */
export default definePlugin<ZfsConfig>({
  id: PLUGIN_NAME,
  version: '0.1.0',
  description: 'ZFS dataset storage (kernel module or zfs-fuse)',
  provides: [storageCapability],
  configKey: 'zfs',
  configSchema: zfsConfigSchema,
  async setup(ctx) {
    const reason = await skipReason(ctx.exec, ctx.config);
    if (reason) throw new SkipPlugin(reason);
    const onFuse = await onZfsFuse(ctx.config.start_zfs_fuse);
    const options = resolveZfsOptions(ctx.config, { onZfsFuse: onFuse, runDir: ctx.paths.run });
    ctx.provide(storageCapability, new ZfsDriver(options, { exec: ctx.exec, log: ctx.log }));
  },
});
