/**
 * SDK for exec workload plugins (contract v1): a plugin is one executable that the daemon
 * spawns per command. `runExecPlugin` is its whole `main`.
 *
 * ```js
 * #!/usr/bin/env node
 * import { runExecPlugin } from 'dockersnap/plugin-sdk/exec-plugin';
 * runExecPlugin({
 *   metadata: { name: 'hello', version: '1.0.0', config_options: [{ name: 'text', type: 'string', default: 'hi {{ instance_name }}' }] },
 *   handlers: {
 *     async deploy({ progress, config }) { progress.running('say', config.string('text')); progress.done('say'); },
 *     health: () => ({ healthy: true }),
 *   },
 * });
 * ```
 * @packageDocumentation
 */
export { runExecPlugin, schemaDocument } from './run-exec-plugin.js';
export type { ExecPluginSpec, ExecPluginMetadata, ExecPluginHandlers, InitContext, InputContext, ValidateContext, ProgressContext } from './run-exec-plugin.js';
export type { ExecPluginIO } from './plugin-io.js';
export { ProgressWriter } from './progress.js';
export { ExecPluginLogger, minLogLevel, flattenAttrs } from './plugin-logger.js';
export type { ExecPluginLoggerOptions } from './plugin-logger.js';
export { ConfigReader, ExecPluginPanic } from './config-reader.js';
export { ExecPluginError, ValidationError } from './errors.js';
export { formatFileMode, dockerHostEnv, dockerEnv, nsExecCommand, nsExec } from './helpers.js';
export type { NsExecOptions, NsExecResult } from './helpers.js';
export { parseGoJson, parseGoObject, goSyntaxError } from './go-json.js';
export { CONTRACT_VERSION, EXEC_COMMANDS, INPUT_COMMANDS, PROGRESS_COMMANDS, DEFAULT_TIMEOUTS_MS } from './contract.js';
export type {
  ExecCommand,
  PluginInput,
  SchemaResponse,
  ValidateResponse,
  DescribeResponse,
  HealthBody,
  ErrorEnvelope,
  LogEntry,
  AccessResponse,
  ConfigOption,
  HealthCheck,
  ProgressEvent,
} from './contract.js';
