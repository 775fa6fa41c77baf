/**
 * The dockersnap plugin SDK: the only module a plugin imports.
 * @packageDocumentation
 */
export { definePlugin, SkipPlugin, isSkipPlugin, PLUGIN_ID_PATTERN } from './define-plugin.js';
export type { PluginDefinition, PluginContext, RouteContribution, AnyPluginDefinition } from './define-plugin.js';
export { defineCapability } from './capability.js';
export type { CapabilityRef, Cardinality, Resolved, ResolvedMap } from './capability.js';
export type { Logger } from './logger.js';
export type { Exec, ExecOptions, ExecResult } from './exec.js';
export * from './state-types.js';
export * from './capabilities/state.js';
export * from './capabilities/storage.js';
export * from './capabilities/netns.js';
export * from './capabilities/dockerd.js';
export * from './capabilities/port-proxy.js';
export * from './capabilities/workload.js';
export { DsError, ERROR_CODES, isDsError, toDsError, errorMessage } from '../kernel/errors.js';
export type { ErrorCode } from '../kernel/errors.js';
export { STAGES } from '../kernel/stages.js';
export type { TapOnlyHooks, TapOptions } from '../kernel/hook-taps.js';
export type * from '../kernel/hooks.js';
export type { DockersnapConfig } from '../kernel/config/types.js';
export { defineCommand } from './define-command.js';
export type { CommandDefinition, CommandContext, CommandArg, CommandFlag, CommandClient } from './define-command.js';
export { linkAddresses } from '../kernel/subnet.js';
export type { LinkAddresses } from '../kernel/subnet.js';
export { parseGoDuration, parseDurationMs } from '../kernel/config/duration.js';
export { INSTANCE_NAME_TOKEN, templateInstanceName } from './instance-name-template.js';
export { validateInstanceName, validateSnapshotLabel, INSTANCE_NAME_PATTERN, SNAPSHOT_LABEL_PATTERN } from '../kernel/names.js';
export * from './host/index.js';
export { decodeState, serializeState, StateFieldError } from './state-document.js';
export * from './capabilities/workload-catalog.js';
