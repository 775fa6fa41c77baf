/**
 * The daemon configuration (`/etc/dockersnap/config.yaml`). Keys and defaults are the
 * original's (state-and-config §2) plus ours, marked below. Sections that belong to one
 * plugin (`zfs`, `btrfs`, …) are validated by that plugin's own schema, not here.
 */

/**
 * Per-command timeouts of exec plugins (Go durations). After loading, an empty or ≤ 0 value
 * has been replaced by its default, as the original does.
 */
export interface PluginTimeouts {
  init: string;
  schema: string;
  validate: string;
  deploy: string;
  teardown: string;
  access: string;
  describe: string;
  health: string;
}

/** The core keys only: what `kernel/config/schema.ts` validates and defaults. */
export interface CoreConfig {
  api: {
    listen: string;
    token: string;
    proxy_bind: string;
    /** Ours: request body limit in bytes. */
    body_limit: number;
  };
  network: {
    range: string;
    subnet_size: number;
    base_offset: string;
    metallb_host_offset: string;
    host_interface: string;
  };
  docker: {
    dns: string[];
    log_max_size: string;
    log_max_file: number;
    proxy: { http: string; https: string; no_proxy: string };
  };
  plugins: {
    dir: string;
    health_poll_interval: string;
    health_failure_threshold: number;
    timeouts: PluginTimeouts;
    /** Ours: plugin ids not to load (status `skip`). */
    disabled: string[];
    /** Ours: plugin ids that must be `ok`, or boot/reload fails. */
    required: string[];
    /** Ours: per-plugin config, keyed by plugin id (merged over the plugin's own section). */
    config: Record<string, Record<string, unknown>>;
    /** Ours: where versioned copies of directory plugins are loaded from. */
    cache_dir: string;
    /** Ours: default deadline of one hook tap (Go duration). */
    hook_timeout: string;
    /** Ours: deadline of one plugin's setup (Go duration). */
    setup_timeout: string;
  };
  /** Ours: which plugin provides a `single` capability when several could (`storage: storage-zfs`). */
  capabilities: Record<string, string>;
  state_file: string;
  run_dir: string;
  /** Ours: data directory (daemon configs, plugin state, the default pool image). */
  data_dir: string;
  /**
   * After loading, always one of `debug`, `info`, `warn`, `error` (the original's
   * case-insensitive values; `warning` becomes `warn`, anything else `info`).
   */
  log_level: string;
}

/** The loaded configuration: the core keys plus plugin-owned sections. */
export interface DockersnapConfig extends CoreConfig {
  /** Plugin-owned sections (`zfs`, `btrfs`, …), validated by their plugins. */
  [section: string]: unknown;
}
