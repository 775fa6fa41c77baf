import { SkipPlugin, definePlugin, storageCapability, type Exec } from '../../plugin-sdk/index.js';
import { BtrfsDriver } from './btrfs-driver.js';
import { btrfsConfigSchema, resolveBtrfsOptions, type BtrfsConfig } from './config.js';

const PLUGIN_NAME = 'storage-btrfs';

/** Names of the tools in `tools` that cannot be run (missing from PATH). */
async function missingTools(exec: Exec, tools: readonly string[]): Promise<string[]> {
  const results = await Promise.all(tools.map(async (tool) => [tool, (await exec(tool, ['--version'], { reject: false, timeoutMs: 10_000 })).exitCode] as const));
  return results.filter(([, code]) => code !== 0).map(([tool]) => tool);
}

/**
 * The default storage backend: btrfs subvolumes, on a loopback image under `data_dir`
 * (created and mounted lazily by `init()`, never at setup) or on an existing btrfs mount.
 * It does not unmount on close: instances keep running across daemon restarts.
 */
export default definePlugin<BtrfsConfig>({
  id: PLUGIN_NAME,
  version: '0.1.0',
  description: 'btrfs subvolume storage (loopback image or existing mount)',
  provides: [storageCapability],
  configKey: 'btrfs',
  configSchema: btrfsConfigSchema,
  async setup(ctx) {
    const options = resolveBtrfsOptions(ctx.config, ctx.settings);
    const missing = await missingTools(ctx.exec, options.existingPath ? ['btrfs'] : ['btrfs', 'mkfs.btrfs']);
    if (missing.length > 0) throw new SkipPlugin(`${missing.join(' and ')} not found (install btrfs-progs)`);
    ctx.provide(storageCapability, new BtrfsDriver(options, { exec: ctx.exec, log: ctx.log }));
  },
});
