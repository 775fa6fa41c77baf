import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SkipPlugin, definePlugin, storageCapability } from '../../plugin-sdk/index.js';
import { BtrfsDriver } from './btrfs-driver.js';
import { btrfsConfigSchema, resolveBtrfsOptions, type BtrfsConfig } from './config.js';

const PLUGIN_NAME = 'storage-btrfs';

/**
 * Names of the tools in `tools` that are not an executable file in a `$PATH` directory: the
 * driver runs them by name, so that is where they must be. Spawns nothing (access(2) only),
 * which keeps setup — and so kernel boot — cheap; a PATH of fakes simulates a missing tool.
 */
export function toolsNotOnPath(tools: readonly string[], path = process.env['PATH'] ?? ''): string[] {
  const dirs = path.split(delimiter).filter(Boolean);
  const runnable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return tools.filter((tool) => !dirs.some((dir) => runnable(join(dir, tool))));
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
    const missing = toolsNotOnPath(options.existingPath ? ['btrfs'] : ['btrfs', 'mkfs.btrfs']);
    if (missing.length > 0) throw new SkipPlugin(`${missing.join(' and ')} not found (install btrfs-progs)`);
    ctx.provide(storageCapability, new BtrfsDriver(options, { exec: ctx.exec, log: ctx.log }));
  },
});
