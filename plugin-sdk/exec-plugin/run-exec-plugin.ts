import { CONTRACT_VERSION, INPUT_COMMANDS, type AccessResponse, type ConfigOption, type DescribeResponse, type ExecCommand, type HealthBody, type PluginInput, type SchemaResponse, type ValidateResponse } from './contract.js';
import { ConfigReader, ExecPluginPanic } from './config-reader.js';
import { ExecPluginError, ValidationError, messageOf } from './errors.js';
import { parseGoObject } from './go-json.js';
import { ExecPluginLogger, minLogLevel } from './plugin-logger.js';
import { PluginOutput, readAll, type ExecPluginIO } from './plugin-io.js';
import { ProgressWriter } from './progress.js';

/** What `schema` reports; `supported_contract_versions` defaults to `["1"]`. */
export interface ExecPluginMetadata {
  name: string;
  version: string;
  description?: string;
  config_options?: ConfigOption[];
  supported_contract_versions?: string[];
}

interface BaseContext {
  command: ExecCommand;
  metadata: ExecPluginMetadata;
  /** §9 log lines on stderr, tagged with the plugin, command and instance. */
  log: ExecPluginLogger;
}

export type InitContext = BaseContext;

/** The context of every command that reads a `PluginInput`. */
export interface InputContext extends BaseContext {
  input: PluginInput;
  /** Typed `plugin_config` getters with the schema's defaults. */
  config: ConfigReader;
}

export interface ValidateContext extends InputContext {
  /** Adds a warning (reported whether validation passes or fails). */
  warn(text: string): void;
}

export interface ProgressContext extends InputContext {
  progress: ProgressWriter;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Command handlers. A handler fails by throwing (an {@link ExecPluginError} adds envelope
 * details; a {@link ValidationError} gives `validate` several errors). Every handler is optional.
 */
export interface ExecPluginHandlers {
  init?(ctx: InitContext): MaybePromise<void>;
  validate?(ctx: ValidateContext): MaybePromise<void | { warnings?: string[] }>;
  /** Emit progress with `ctx.progress`; on failure emit an `error` event, then throw. */
  deploy?(ctx: ProgressContext): MaybePromise<void>;
  teardown?(ctx: ProgressContext): MaybePromise<void>;
  access?(ctx: InputContext): MaybePromise<AccessResponse | null | undefined>;
  describe?(ctx: InputContext): MaybePromise<DescribeResponse | null | undefined>;
  health?(ctx: InputContext): MaybePromise<HealthBody>;
}

export interface ExecPluginSpec {
  metadata: ExecPluginMetadata;
  handlers: ExecPluginHandlers;
  /** Test seam; defaults to the real process. */
  io?: ExecPluginIO;
}

/** A response with `contract_version` first and forced to "1"; `null` ⇒ an empty response. */
function versioned<T extends object>(body: T | null | undefined): T & { contract_version: string } {
  const { contract_version: _ignored, ...rest } = (body ?? {}) as T & { contract_version?: string };
  return { contract_version: CONTRACT_VERSION, ...rest } as T & { contract_version: string };
}

/** A `ConfigOption` as the SDK marshals it: `default` unless null, `required` only when true. */
function optionJson(o: ConfigOption): ConfigOption {
  return {
    name: o.name,
    type: o.type,
    ...(o.default === undefined || o.default === null ? {} : { default: o.default }),
    ...(o.required ? { required: true } : {}),
    ...(o.description ? { description: o.description } : {}),
  };
}

/** The `schema` document built from the metadata. */
export function schemaDocument(m: ExecPluginMetadata): SchemaResponse {
  return {
    contract_version: CONTRACT_VERSION,
    supported_contract_versions: m.supported_contract_versions ?? [CONTRACT_VERSION],
    plugin_name: m.name,
    plugin_version: m.version,
    ...(m.description ? { description: m.description } : {}),
    ...(m.config_options && m.config_options.length > 0 ? { config_options: m.config_options.map(optionJson) } : {}),
  };
}

class Dispatch {
  readonly out: PluginOutput;
  private readonly env: Record<string, string | undefined>;

  constructor(
    private readonly spec: ExecPluginSpec,
    private readonly io: ExecPluginIO,
  ) {
    this.out = new PluginOutput(io);
    this.env = io.env ?? process.env;
  }

  logger(command: ExecCommand, instance?: string): ExecPluginLogger {
    return new ExecPluginLogger({ plugin: this.spec.metadata.name, command, ...(instance ? { instance } : {}), write: (l) => this.out.err(l), level: minLogLevel(this.env['DOCKERSNAP_LOG_LEVEL']), ...(this.io.now ? { now: this.io.now } : {}) });
  }

  fail(message: string, err?: unknown): number {
    this.out.fail(message, err instanceof ExecPluginError ? err.details : undefined);
    return 1;
  }

  async run(argv: readonly string[]): Promise<number> {
    const command = argv[1];
    if (command === undefined) return this.fail(`usage: ${this.spec.metadata.name} <command>`);
    if (command === 'init') return this.init();
    if (command === 'schema') {
      this.out.json(schemaDocument(this.spec.metadata));
      return 0;
    }
    if (!(INPUT_COMMANDS as readonly string[]).includes(command)) return this.fail(`unknown command: ${command}`);
    const cmd = command as ExecCommand;
    let text: string;
    try {
      text = await readAll(this.io.stdin ?? process.stdin);
    } catch (err) {
      return this.fail(`reading PluginInput: ${messageOf(err)}`);
    }
    const parsed = parseGoObject(text, 'PluginInput');
    if (!parsed.ok) return this.fail(`reading PluginInput: ${parsed.error}`);
    const input = parsed.value as unknown as PluginInput;
    const ctx: InputContext = { command: cmd, metadata: this.spec.metadata, log: this.logger(cmd, input.instance_name), input, config: new ConfigReader(this.spec.metadata.config_options ?? [], input.plugin_config ?? {}) };
    switch (cmd) {
      case 'validate':
        return this.validate(ctx);
      case 'deploy':
      case 'teardown':
        return this.progress(cmd, ctx);
      case 'health':
        return this.health(ctx);
      default:
        return this.document(cmd as 'access' | 'describe', ctx);
    }
  }

  private async init(): Promise<number> {
    const h = this.spec.handlers.init;
    if (!h) return 0;
    try {
      await h.call(this.spec.handlers, { command: 'init', metadata: this.spec.metadata, log: this.logger('init') });
      return 0;
    } catch (err) {
      rethrowPanic(err);
      return this.fail(`init: ${messageOf(err)}`, err);
    }
  }

  private async validate(ctx: InputContext): Promise<number> {
    const h = this.spec.handlers.validate;
    const warnings: string[] = [];
    const respond = (valid: boolean, errors: string[]) => {
      const doc: ValidateResponse = { contract_version: CONTRACT_VERSION, valid, ...(errors.length > 0 ? { errors } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
      this.out.json(doc);
      return valid ? 0 : 1;
    };
    if (!h) return respond(true, []);
    try {
      const res = await h.call(this.spec.handlers, { ...ctx, warn: (text: string) => void warnings.push(text) });
      warnings.push(...(res?.warnings ?? []));
      return respond(true, []);
    } catch (err) {
      rethrowPanic(err);
      return respond(false, err instanceof ValidationError ? err.errors : [messageOf(err)]);
    }
  }

  private async progress(cmd: 'deploy' | 'teardown', ctx: InputContext): Promise<number> {
    const progress = new ProgressWriter((l) => this.out.out(l));
    const h = this.spec.handlers[cmd];
    if (!h) {
      progress.complete(`${cmd}: no-op`);
      return 0;
    }
    try {
      await h.call(this.spec.handlers, { ...ctx, progress });
    } catch (err) {
      rethrowPanic(err);
      // Not an envelope on stdout: that is the NDJSON stream. The handler emitted its error event.
      this.out.err(`${cmd}: ${messageOf(err)}\n`);
      return 1;
    }
    progress.complete(`${cmd} succeeded`);
    return 0;
  }

  private async document(cmd: 'access' | 'describe', ctx: InputContext): Promise<number> {
    const h = this.spec.handlers[cmd] as ((c: InputContext) => MaybePromise<object | null | undefined>) | undefined;
    if (!h) return this.fail(`${cmd}: no handler registered`);
    try {
      this.out.json(versioned(await h.call(this.spec.handlers, ctx)));
      return 0;
    } catch (err) {
      rethrowPanic(err);
      return this.fail(`${cmd}: ${messageOf(err)}`, err);
    }
  }

  private async health(ctx: InputContext): Promise<number> {
    const h = this.spec.handlers.health;
    if (!h) {
      this.out.json({ contract_version: CONTRACT_VERSION, healthy: true });
      return 0;
    }
    try {
      this.out.json(versioned(await h.call(this.spec.handlers, ctx)));
      return 0;
    } catch (err) {
      rethrowPanic(err);
      this.out.json({ contract_version: CONTRACT_VERSION, healthy: false, checks: [{ name: 'plugin', ok: false, message: messageOf(err) }] });
      return 1;
    }
  }
}

function rethrowPanic(err: unknown): void {
  if (err instanceof ExecPluginPanic) throw err;
}

/**
 * The `main` of an exec workload plugin (contract v1, §14): dispatches on `argv[1]`, reads
 * the `PluginInput` from stdin for the commands that get one, runs the handler and writes
 * the response, then exits (0 success, 1 error, 2 programming error). Missing handlers get
 * the contract's defaults; `deploy`/`teardown` always end with a `complete` event on success.
 * Errors before or around a handler are the §6.8 envelope on stdout plus the message on stderr.
 * @returns the exit code (when `io.exit` is false; otherwise the process exits with it).
 */
export async function runExecPlugin(spec: ExecPluginSpec): Promise<number> {
  const io = spec.io ?? {};
  const dispatch = new Dispatch(spec, io);
  let code: number;
  try {
    code = await dispatch.run(io.argv ?? process.argv.slice(1));
  } catch (err) {
    if (!(err instanceof ExecPluginPanic)) throw err;
    dispatch.out.err(`panic: ${err.message}\n\n${err.stack ?? ''}\n`);
    code = 2;
  }
  await dispatch.out.flush();
  if (io.exit !== false) process.exit(code);
  return code;
}
