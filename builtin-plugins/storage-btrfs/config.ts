import { join } from 'node:path';
import { parseSize, type DockersnapConfig } from '../../plugin-sdk/index.js';

/** The `btrfs:` config section (or `plugins.config.storage-btrfs`). */
export interface BtrfsConfig {
  /** Loopback image file. Default `<data_dir>/pool.img`. */
  pool?: string;
  /** Size of a new image file (sparse), e.g. `20G`. */
  pool_size: string;
  /** Where the image is mounted. Default `<data_dir>/btrfs`. */
  mountpoint?: string;
  /** Use this directory on an already mounted btrfs instead of an image file. */
  existing_path?: string;
}

/** JSON schema of BtrfsConfig; ajv fills `pool_size`. Path defaults depend on `data_dir` and are resolved in setup. */
export const btrfsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pool: { type: 'string', minLength: 1 },
    pool_size: { type: 'string', default: '20G', pattern: '^\\s*\\d+(\\.\\d+)?\\s*[KMGTPkmgtp]?(i?[Bb])?\\s*$' },
    mountpoint: { type: 'string', minLength: 1 },
    existing_path: { type: 'string', minLength: 1 },
  },
} as const;

/** What the driver is built from: every path absolute, the size in bytes. */
export interface BtrfsDriverOptions {
  /** Image file (ignored with `existingPath`). */
  poolFile: string;
  poolSizeBytes: number;
  /** Mountpoint of the image (ignored with `existingPath`). */
  mountpoint: string;
  existingPath?: string | undefined;
}

/** Fills the path defaults from the daemon settings. @throws DS_ERR_CONFIG for a bad size. */
export function resolveBtrfsOptions(config: Readonly<BtrfsConfig>, settings: Pick<DockersnapConfig, 'data_dir'>): BtrfsDriverOptions {
  return {
    poolFile: config.pool ?? join(settings.data_dir, 'pool.img'),
    poolSizeBytes: parseSize(config.pool_size),
    mountpoint: config.mountpoint ?? join(settings.data_dir, 'btrfs'),
    existingPath: config.existing_path,
  };
}
