import type { CapabilityRef, ResolvedMap } from './capability.js';
import type { Exec } from './exec.js';
import type { Logger } from './logger.js';
import type { TapOnlyHooks } from '../kernel/hook-taps.js';
import type { DockersnapConfig } from '../kernel/config/types.js';

/** Plugin ids: lowercase, digits and dashes, 2–64 chars. */
export const PLUGIN_ID_PATTERN = /^[a-z][a-z0-9-]{1,63}$/;

/** Everything a plugin's `setup` may use. Plugins never see the kernel itself. */
export interface PluginContext<Cfg = Record<string, unknown>, Req extends Record<string, CapabilityRef<unknown>> = Record<string, never>> {
  readonly id: string;
  /** Child logger tagged `plugin=<id>`. */
  readonly log: Logger;
  /** The plugin's config, validated against `configSchema` with defaults applied. */
  readonly config: Readonly<Cfg>;
  /** The daemon-wide settings (run dir, network, docker …), read-only. */
  readonly settings: Readonly<DockersnapConfig>;
  /** Directories owned by this plugin (created before `setup`). */
  readonly paths: { readonly state: string; readonly run: string };
  /** The exec wrapper, tagged with this plugin. */
  readonly exec: Exec;
  /** Tap-only lifecycle hooks. */
  readonly hooks: TapOnlyHooks;
  /** The capabilities named in `requires`, resolved and typed. */
  readonly capabilities: ResolvedMap<Req>;
  /**
   * Registers an implementation of a capability declared in `provides`.
   * For `multi` capabilities `key` is required (e.g. the workload type).
   * @throws TypeError if the capability is not declared in `provides`.
   */
  provide<T>(ref: CapabilityRef<T>, impl: T, options?: { key?: string }): void;
  /** Registers cleanup, run LIFO when the plugin is unloaded or the daemon stops. */
  onClose(fn: () => void | Promise<void>): void;
  /** Aborted when the plugin is being unloaded. */
  readonly signal: AbortSignal;
}

/**
 * A fastify plugin function mounted encapsulated under `/api/v1/ext/<id>`. Typed loosely
 * so the SDK does not pull fastify into plugins that contribute no routes.
 */
export type RouteContribution<Cfg = Record<string, unknown>> = (app: import('fastify').FastifyInstance, ctx: PluginContext<Cfg, Record<string, never>>) => void | Promise<void>;

export interface PluginDefinition<Cfg = Record<string, unknown>, Req extends Record<string, CapabilityRef<unknown>> = Record<string, never>> {
  /** Unique id; must equal the manifest's `id`. */
  id: string;
  version: string;
  description?: string;
  /** Capabilities this plugin registers with `ctx.provide`. */
  provides?: readonly CapabilityRef<unknown>[];
  /** Capabilities `setup` receives, resolved, in `ctx.capabilities`. */
  requires?: Req;
  /** Plugins that must set up before this one (ordering only; they must exist). */
  after?: readonly string[];
  /** Top-level config section this plugin also reads (compat with the original's file, e.g. `zfs`). */
  configKey?: string;
  /** JSON schema of the plugin config; validated (with defaults) before `setup`. */
  configSchema?: object;
  /** HTTP routes, mounted under `/api/v1/ext/<id>`. */
  routes?: RouteContribution<Cfg>;
  /**
   * Called once per load, in dependency order. Throw `SkipPlugin` when the host lacks
   * what the plugin needs; any other throw marks the plugin `error`.
   */
  setup(ctx: PluginContext<Cfg, Req>): void | Promise<void>;
}

export type AnyPluginDefinition = PluginDefinition<any, any>;

/**
 * Declares a plugin. Pure: validates the shape and returns it frozen, with no side effects,
 * so importing a plugin module never registers anything.
 * @throws TypeError for a bad id or missing `setup`.
 */
export function definePlugin<Cfg = Record<string, unknown>, Req extends Record<string, CapabilityRef<unknown>> = Record<string, never>>(
  definition: PluginDefinition<Cfg, Req>,
): PluginDefinition<Cfg, Req> {
  if (!PLUGIN_ID_PATTERN.test(definition.id)) throw new TypeError(`plugin id ${JSON.stringify(definition.id)} must match ${PLUGIN_ID_PATTERN}`);
  if (typeof definition.setup !== 'function') throw new TypeError(`plugin "${definition.id}" has no setup function`);
  return Object.freeze({ ...definition });
}

/** Thrown from `setup` to say "this host cannot run me" — status `skip`, not `error`. */
export class SkipPlugin extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipPlugin';
  }
}

export function isSkipPlugin(err: unknown): err is SkipPlugin {
  return err instanceof SkipPlugin || (err instanceof Error && err.name === 'SkipPlugin');
}
