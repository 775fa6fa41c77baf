import { DsError, errorMessage, isDsError } from './errors.js';
import { HOOK_NAMES, HOOK_POLICIES, createHooks, type HookContext, type HookName, type HookResult, type LifecycleHooks } from './hooks.js';
import { STAGES } from './stages.js';

/**
 * The one interceptor every tap goes through: it makes the tap async, enforces a
 * deadline, attributes failures to plugin + hook, and applies the hook's error policy.
 * Plugins never touch tapable directly; they get the tap-only view built here.
 */

export interface TapOptions {
  /** Sub-name when a plugin taps the same hook more than once (`<plugin>/<name>`). */
  name?: string;
  /** Ordering stage; see STAGES. Lower runs first. */
  stage?: number;
  /** Run before the taps of these plugins (ids or full tap names). They must have tapped already. */
  before?: string | string[];
  /** Deadline for this tap in ms (default: the kernel's hook timeout). */
  timeoutMs?: number;
}

export type TapFn<N extends HookName> = (ctx: HookContext<N>) => HookResult<N> | Promise<HookResult<N>>;
export type TapAsyncFn<N extends HookName> = (ctx: HookContext<N>, callback: (err?: unknown, result?: HookResult<N>) => void) => void;

/** The tap-only face of one hook. */
export interface TapOnlyHook<N extends HookName> {
  tap(fn: TapFn<N>): void;
  tap(options: TapOptions, fn: TapFn<N>): void;
  /** Callback style; a callback that is never called is cut off by the deadline. */
  tapAsync(fn: TapAsyncFn<N>): void;
  tapAsync(options: TapOptions, fn: TapAsyncFn<N>): void;
}

export type TapOnlyHooks = { readonly [N in HookName]: TapOnlyHook<N> };

/** A tap as recorded by the host, replayable into a new generation of hooks. */
export interface TapRecord {
  pluginId: string;
  hook: HookName;
  name: string;
  stage: number;
  before: string[];
  timeoutMs: number | undefined;
  fn: (ctx: unknown) => Promise<unknown>;
}

const failureSinks = new WeakMap<object, DsError[]>();

/** Builds a tap-only view whose taps are appended to `sink` (validated and registered later). */
export function createTapRecorder(pluginId: string, sink: TapRecord[]): TapOnlyHooks {
  const view = {} as Record<HookName, TapOnlyHook<HookName>>;
  for (const hook of HOOK_NAMES) {
    const record = (options: TapOptions, fn: (ctx: unknown) => Promise<unknown>) => {
      sink.push({
        pluginId,
        hook,
        name: options.name ? `${pluginId}/${options.name}` : pluginId,
        stage: options.stage ?? STAGES.DEFAULT,
        before: options.before === undefined ? [] : ([] as string[]).concat(options.before),
        timeoutMs: options.timeoutMs,
        fn,
      });
    };
    const split = <F>(a: TapOptions | F, b?: F): [TapOptions, F] => (b === undefined ? [{}, a as F] : [a as TapOptions, b]);
    view[hook] = Object.freeze({
      tap(a: TapOptions | TapFn<HookName>, b?: TapFn<HookName>) {
        const [options, fn] = split(a, b);
        record(options, async (ctx) => fn(ctx as never));
      },
      tapAsync(a: TapOptions | TapAsyncFn<HookName>, b?: TapAsyncFn<HookName>) {
        const [options, fn] = split(a, b);
        record(options, (ctx) => new Promise((resolve, reject) => fn(ctx as never, (err, result) => (err ? reject(err) : resolve(result)))));
      },
    }) as TapOnlyHook<HookName>;
  }
  return Object.freeze(view) as unknown as TapOnlyHooks;
}

interface RawHook {
  taps: Array<{ name: string }>;
  tapPromise(options: { name: string; stage: number; before?: string[] }, fn: (ctx: unknown) => Promise<unknown>): void;
}

function hookOf(hooks: LifecycleHooks, name: HookName): RawHook {
  return hooks[name] as unknown as RawHook;
}

/**
 * Checks a plugin's taps against what is already registered: no duplicate names and no
 * `before` target that does not exist (tapable would silently run such a tap first).
 * @throws DsError DS_ERR_PLUGIN_DUPLICATE / DS_ERR_PLUGIN_UNKNOWN_TARGET
 */
export function validateTaps(hooks: LifecycleHooks, records: readonly TapRecord[]): void {
  const seen = new Map<HookName, Set<string>>();
  for (const r of records) {
    const names = seen.get(r.hook) ?? new Set(hookOf(hooks, r.hook).taps.map((t) => t.name));
    seen.set(r.hook, names);
    if (names.has(r.name)) {
      throw new DsError('DS_ERR_PLUGIN_DUPLICATE', `plugin "${r.pluginId}" taps hook ${r.hook} twice as "${r.name}"; give each tap its own name option`, {
        details: { plugin: r.pluginId, hook: r.hook, tap: r.name },
      });
    }
    for (const target of r.before) {
      const known = [...names].some((n) => n === target || n.split('/')[0] === target);
      if (!known) {
        throw new DsError('DS_ERR_PLUGIN_UNKNOWN_TARGET', `plugin "${r.pluginId}" asks to run before "${target}" on hook ${r.hook}, but no such tap is registered; declare the dependency so that plugin sets up first, or drop the before option`, {
          details: { plugin: r.pluginId, hook: r.hook, before: target },
        });
      }
    }
    names.add(r.name);
  }
}

function attribute(r: TapRecord, err: unknown): DsError {
  if (isDsError(err) && (err.code === 'DS_ERR_PLUGIN_TIMEOUT' || err.code === 'DS_ERR_PLUGIN_HOOK') && err.details['plugin'] === r.pluginId) return err;
  return new DsError('DS_ERR_PLUGIN_HOOK', `plugin "${r.pluginId}" failed in hook ${r.hook}: ${errorMessage(err)}`, {
    details: { plugin: r.pluginId, hook: r.hook, tap: r.name, cause: errorMessage(err), ...(isDsError(err) ? { causeCode: err.code } : {}) },
    cause: err,
  });
}

function withDeadline(r: TapRecord, defaultTimeoutMs: number, ctx: unknown): Promise<unknown> {
  const ms = r.timeoutMs ?? defaultTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new DsError('DS_ERR_PLUGIN_TIMEOUT', `plugin "${r.pluginId}" did not finish hook ${r.hook} within ${ms} ms`, { details: { plugin: r.pluginId, hook: r.hook, tap: r.name, timeoutMs: ms } })),
      ms,
    );
  });
  // Promise.resolve().then(...) turns a synchronous throw into a rejection too.
  return Promise.race([Promise.resolve().then(() => r.fn(ctx)), deadline]).finally(() => clearTimeout(timer));
}

/** Registers validated records into `hooks`, each wrapped by the interceptor. */
export function registerTaps(hooks: LifecycleHooks, records: readonly TapRecord[], defaultTimeoutMs: number): void {
  validateTaps(hooks, records);
  for (const r of records) {
    const policy = HOOK_POLICIES[r.hook];
    const wrapped = async (ctx: unknown) => {
      try {
        return await withDeadline(r, defaultTimeoutMs, ctx);
      } catch (err) {
        const failure = attribute(r, err);
        const sink = policy === 'collect' && typeof ctx === 'object' && ctx !== null ? failureSinks.get(ctx) : undefined;
        if (!sink) throw failure;
        sink.push(failure);
        return undefined;
      }
    };
    hookOf(hooks, r.hook).tapPromise({ name: r.name, stage: r.stage, ...(r.before.length > 0 ? { before: r.before } : {}) }, wrapped);
  }
}

/** Builds a fresh, frozen hooks object holding the given taps (in order). */
export function buildHooks(records: readonly TapRecord[], defaultTimeoutMs: number): LifecycleHooks {
  const hooks = createHooks();
  registerTaps(hooks, records, defaultTimeoutMs);
  return hooks;
}

export interface HookOutcome<R> {
  result: R | undefined;
  /** Failures of taps on a `collect` hook (empty for `abort` hooks, which throw). */
  failures: DsError[];
}

/**
 * The only way the kernel fires a hook. Abort hooks reject with the attributed error;
 * collect hooks run every tap and return the failures.
 */
export async function callHook<N extends HookName>(hooks: LifecycleHooks, name: N, ctx: HookContext<N>): Promise<HookOutcome<HookResult<N>>> {
  const failures: DsError[] = [];
  failureSinks.set(ctx as object, failures);
  try {
    const result = await (hooks[name] as unknown as { promise(ctx: unknown): Promise<HookResult<N>> }).promise(ctx);
    return { result, failures };
  } finally {
    failureSinks.delete(ctx as object);
  }
}

/** Tap names registered on a hook, in the order they will run. */
export function tapNames(hooks: LifecycleHooks, name: HookName): string[] {
  return hookOf(hooks, name).taps.map((t) => t.name);
}
