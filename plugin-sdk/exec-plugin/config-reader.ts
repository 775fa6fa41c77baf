import type { ConfigOption } from './contract.js';

/**
 * A programming error in a plugin (asking for an undeclared key, or with the wrong type):
 * the SDK reacts like a Go panic — message and stack on stderr, exit status 2, no envelope.
 */
export class ExecPluginPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecPluginPanic';
  }
}

type Kind = 'string' | 'int' | 'bool' | 'string-list' | 'path';

/** Which declared types each getter may read: a `path` is a string too. */
const READS: Record<Kind, readonly string[]> = {
  string: ['string', 'path'],
  path: ['path'],
  int: ['int'],
  bool: ['bool'],
  'string-list': ['string-list'],
};

const CHECK: Record<Kind, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  path: (v) => typeof v === 'string',
  int: (v) => typeof v === 'number' && Number.isFinite(v),
  bool: (v) => typeof v === 'boolean',
  'string-list': (v) => Array.isArray(v) && v.every((e) => typeof e === 'string'),
};

/**
 * Typed access to `plugin_config` with the schema's defaults (§14): a getter returns the
 * configured value, else the declared default, else the type's zero value. String getters
 * treat `""` as unset; the int getter truncates. Optional getters return `undefined` when
 * the key is absent from `plugin_config` and has no non-null default (an empty value the
 * user gave is present). Undeclared keys and wrong types throw {@link ExecPluginPanic}.
 */
export class ConfigReader {
  private readonly declared: ReadonlyMap<string, ConfigOption>;

  constructor(
    options: readonly ConfigOption[],
    /** The raw `plugin_config` of the input (already resolved by the daemon). */
    readonly values: Readonly<Record<string, unknown>> = {},
  ) {
    this.declared = new Map(options.map((o) => [o.name, o]));
  }

  string(key: string): string {
    return (this.read(key, 'string', true) as string | undefined) ?? '';
  }
  path(key: string): string {
    return (this.read(key, 'path', true) as string | undefined) ?? '';
  }
  int(key: string): number {
    return Math.trunc((this.read(key, 'int', false) as number | undefined) ?? 0);
  }
  bool(key: string): boolean {
    return (this.read(key, 'bool', false) as boolean | undefined) ?? false;
  }
  stringList(key: string): string[] {
    return [...((this.read(key, 'string-list', false) as string[] | undefined) ?? [])];
  }

  optionalString(key: string): string | undefined {
    return this.optional(key, 'string') as string | undefined;
  }
  optionalPath(key: string): string | undefined {
    return this.optional(key, 'path') as string | undefined;
  }
  optionalInt(key: string): number | undefined {
    const v = this.optional(key, 'int') as number | undefined;
    return v === undefined ? undefined : Math.trunc(v);
  }
  optionalBool(key: string): boolean | undefined {
    return this.optional(key, 'bool') as boolean | undefined;
  }
  optionalStringList(key: string): string[] | undefined {
    const v = this.optional(key, 'string-list') as string[] | undefined;
    return v === undefined ? undefined : [...v];
  }

  /** Present: in `plugin_config` with a non-null value (even empty), or declared with a non-null default. */
  has(key: string): boolean {
    const opt = this.option(key);
    return this.configured(key) !== undefined || (opt.default !== undefined && opt.default !== null);
  }

  private option(key: string): ConfigOption {
    const opt = this.declared.get(key);
    if (!opt) throw new ExecPluginPanic(`config key ${JSON.stringify(key)} is not declared in config_options`);
    return opt;
  }

  private configured(key: string): unknown {
    const v = Object.hasOwn(this.values, key) ? this.values[key] : undefined;
    return v === null ? undefined : v;
  }

  private checked(key: string, kind: Kind, value: unknown, what: string): unknown {
    if (value === undefined || value === null) return undefined;
    if (!CHECK[kind](value)) throw new ExecPluginPanic(`config key ${JSON.stringify(key)}: ${what} ${JSON.stringify(value)} is not a ${kind}`);
    return value;
  }

  private typed(key: string, kind: Kind): ConfigOption {
    const opt = this.option(key);
    if (!READS[kind].includes(String(opt.type))) throw new ExecPluginPanic(`config key ${JSON.stringify(key)} is declared as ${opt.type}, not ${kind}`);
    return opt;
  }

  private read(key: string, kind: Kind, emptyIsUnset: boolean): unknown {
    const opt = this.typed(key, kind);
    const value = this.checked(key, kind, this.configured(key), 'value');
    if (value !== undefined && !(emptyIsUnset && value === '')) return value;
    return this.checked(key, kind, opt.default, 'default');
  }

  private optional(key: string, kind: Kind): unknown {
    const opt = this.typed(key, kind);
    const value = this.checked(key, kind, this.configured(key), 'value');
    return value !== undefined ? value : this.checked(key, kind, opt.default, 'default');
  }
}
