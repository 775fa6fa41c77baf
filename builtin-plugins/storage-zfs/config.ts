import { join } from 'node:path';
import { parseSize } from '../../plugin-sdk/index.js';

/** The `zfs:` config section (the original's keys first), or `plugins.config.storage-zfs`. */
export interface ZfsConfig {
  pool: string;
  dataset_prefix: string;
  /** Parsed for compatibility; passed to zfs-fuse as its ARC limit when this plugin starts it. */
  arc_max_bytes: number;
  /** Mountpoint of a pool this plugin creates. Default `/<pool>`. */
  mountpoint_root?: string;
  /** Graph driver for the instance dockerds. Default: fuse-overlayfs on zfs-fuse, else overlay2. */
  docker_storage_driver?: string;
  /** Image file of a file-backed pool: imported if the pool is missing, created when `pool_size` is set too. */
  pool_file?: string;
  /** Size of a new `pool_file`, e.g. `20G`. */
  pool_size?: string;
  /** Start the zfs-fuse daemon when no ZFS answers (hosts without the kernel module). */
  start_zfs_fuse: boolean;
}

const ZFS_COMPONENT = '[A-Za-z0-9][A-Za-z0-9_.:-]*';

/** JSON schema of ZfsConfig; ajv fills the defaults. */
export const zfsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    pool: { type: 'string', default: 'dockersnap', pattern: `^[A-Za-z][A-Za-z0-9_.:-]*$` },
    dataset_prefix: { type: 'string', default: 'instances', pattern: `^${ZFS_COMPONENT}(/${ZFS_COMPONENT})*$` },
    arc_max_bytes: { type: 'integer', default: 5368709120, minimum: 0 },
    mountpoint_root: { type: 'string', pattern: '^/' },
    docker_storage_driver: { type: 'string', minLength: 1 },
    pool_file: { type: 'string', pattern: '^/' },
    pool_size: { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*[KMGTPkmgtp]?(i?[Bb])?\\s*$' },
    start_zfs_fuse: { type: 'boolean', default: false },
  },
} as const;

/** What the driver is built from. */
export interface ZfsDriverOptions {
  pool: string;
  datasetPrefix: string;
  /** Mountpoint of a pool the driver creates. */
  mountpointRoot: string;
  dockerStorageDriver: string;
  poolFile?: string | undefined;
  poolSizeBytes?: number | undefined;
  startZfsFuse?: boolean | undefined;
  arcMaxBytes?: number | undefined;
  /** Pidfile of a zfs-fuse the driver starts. */
  zfsFusePidFile?: string | undefined;
}

/**
 * Fills defaults: the graph driver follows the ZFS flavour (FUSE cannot be an overlayfs
 * upper layer, so zfs-fuse needs fuse-overlayfs). @throws DS_ERR_CONFIG for a bad size.
 */
export function resolveZfsOptions(config: Readonly<ZfsConfig>, host: { onZfsFuse: boolean; runDir: string }): ZfsDriverOptions {
  return {
    pool: config.pool,
    datasetPrefix: config.dataset_prefix,
    mountpointRoot: config.mountpoint_root ?? `/${config.pool}`,
    dockerStorageDriver: config.docker_storage_driver ?? (host.onZfsFuse ? 'fuse-overlayfs' : 'overlay2'),
    poolFile: config.pool_file,
    poolSizeBytes: config.pool_size === undefined ? undefined : parseSize(config.pool_size),
    startZfsFuse: config.start_zfs_fuse,
    arcMaxBytes: config.arc_max_bytes,
    zfsFusePidFile: join(host.runDir, 'zfs-fuse.pid'),
  };
}
