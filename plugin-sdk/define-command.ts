/** A positional argument of a plugin command. */
export interface CommandArg {
  name: string;
  description?: string;
  required?: boolean;
}

/** A flag of a plugin command (`--name value`, `--flag`). */
export interface CommandFlag {
  type: 'string' | 'boolean' | 'integer';
  description?: string;
  char?: string;
  multiple?: boolean;
  required?: boolean;
  default?: string | boolean | number;
}

/** The slice of the API client a plugin command gets. */
export interface CommandClient {
  /** Calls the plugin's own routes (`/api/v1/ext/<id>/…`). */
  ext(pluginId: string): {
    get<T = any>(path: string): Promise<T>;
    post<T = any>(path: string, body?: unknown): Promise<T>;
    delete<T = any>(path: string): Promise<T>;
  };
}

export interface CommandContext {
  args: Record<string, string | undefined>;
  flags: Record<string, any>;
  client: CommandClient;
  /** Writes a line to stdout. */
  print(line: string): void;
}

export interface CommandDefinition {
  summary: string;
  description?: string;
  args?: CommandArg[];
  flags?: Record<string, CommandFlag>;
  run(ctx: CommandContext): Promise<void> | void;
}

/**
 * Declares a CLI subcommand contributed by a plugin (listed in its plugin.json `commands`).
 * The CLI runs it in its own process; it reaches its plugin through `client.ext(id)`.
 * Pure and idempotent. @throws TypeError when `run` is missing.
 */
export function defineCommand(definition: CommandDefinition): CommandDefinition {
  if (typeof definition.run !== 'function') throw new TypeError('defineCommand needs a run function');
  return Object.freeze({ ...definition });
}
