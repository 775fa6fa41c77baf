import type { InstanceRecord, SnapshotInfo, StateDocument, StoredStatus } from './state-types.js';
import { ZERO_TIME } from './state-types.js';

/**
 * The codec of `state.json` (state-and-config §1.2–§1.3): turns whatever JSON the file holds
 * into a canonical `StateDocument` or names the first field that is wrong. The same decode
 * runs before every write, so the store never writes a document it would refuse to read.
 *
 * Go semantics are kept where they matter: `null` or a missing field is the zero value
 * (`""`, `0`, empty list), legacy string snapshots become `{label, created_at: zero time}`,
 * unknown fields are dropped. Beyond the original's checks (null entry, empty name, key ≠
 * name, empty dataset/subnet) we reject wrong types, as Go's decoder does, and a `status`
 * outside running/stopped/error, which the lifecycle code could not act on.
 */

/** Thrown by `decodeState`; `field` is a dotted path such as `instances.demo.subnet`. */
export class StateFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'StateFieldError';
  }
}

type Json = Record<string, unknown>;

const STATUSES: readonly StoredStatus[] = ['running', 'stopped', 'error'];
/** RFC 3339 as Go's time.Time writes and reads it in JSON (fraction optional, offset or Z). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `instances.demo` for plain keys; `instances["a b"]` when the key needs quoting. */
function child(path: string, key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** A value for an error message, cut short: a wrong `instances` could be the whole file. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function fail(field: string, problem: string): never {
  throw new StateFieldError(field, problem);
}

function str(obj: Json, key: string, path: string, required = false): string {
  const value = obj[key] ?? '';
  if (typeof value !== 'string') fail(child(path, key), `must be a string (got ${shown(value)})`);
  if (required && value === '') fail(child(path, key), 'must be a non-empty string');
  return value;
}

function index(obj: Json, key: string, path: string): number {
  const value = obj[key] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(child(path, key), `must be a non-negative integer (got ${shown(value)})`);
  }
  return value;
}

function timestamp(obj: Json, key: string, path: string): string {
  const value = str(obj, key, path);
  if (value === '') return ZERO_TIME; // Go's zero time.Time
  if (!RFC3339.test(value)) fail(child(path, key), `must be an RFC 3339 timestamp (got ${shown(value)})`);
  return value;
}

function status(obj: Json, path: string): StoredStatus {
  const value = str(obj, 'status', path);
  // A row without status is not "running", so reconcile leaves it alone — as in the original.
  if (value === '') return 'stopped';
  if (!(STATUSES as readonly string[]).includes(value)) fail(child(path, 'status'), `must be one of ${STATUSES.join(', ')} (got ${shown(value)})`);
  return value as StoredStatus;
}

function stringMap(obj: Json, key: string, path: string): Record<string, string> | undefined {
  const value = obj[key] ?? undefined;
  if (value === undefined) return undefined;
  if (!isObject(value)) fail(child(path, key), `must be an object of strings (got ${shown(value)})`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(child(child(path, key), k), `must be a string (got ${shown(v)})`);
  }
  return Object.keys(value).length > 0 ? { ...(value as Record<string, string>) } : undefined;
}

function snapshot(raw: unknown, path: string): SnapshotInfo {
  if (typeof raw === 'string') return { label: raw, created_at: ZERO_TIME }; // legacy format
  if (!isObject(raw)) fail(path, `must be an object or a string (got ${shown(raw)})`);
  const out: SnapshotInfo = { label: str(raw, 'label', path), created_at: timestamp(raw, 'created_at', path) };
  const tags = stringMap(raw, 'tags', path);
  if (tags !== undefined) out.tags = tags;
  const owner = str(raw, 'owner', path);
  if (owner !== '') out.owner = owner;
  return out;
}

function snapshots(obj: Json, path: string): SnapshotInfo[] {
  const value = obj.snapshots ?? [];
  if (!Array.isArray(value)) fail(child(path, 'snapshots'), `must be a list (got ${shown(value)})`);
  return value.map((s, i) => snapshot(s, `${child(path, 'snapshots')}[${i}]`));
}

/** Optional fields, in the original's order, written only when non-empty (Go's `omitempty`). */
function optionals(obj: Json, path: string, out: InstanceRecord): void {
  const cloneOf = str(obj, 'clone_of', path);
  if (cloneOf !== '') out.clone_of = cloneOf;
  out.snapshots = snapshots(obj, path);
  const plugin = str(obj, 'workload_plugin', path);
  if (plugin !== '') out.workload_plugin = plugin;
  const config = obj.workload_config ?? undefined;
  if (config !== undefined && !isObject(config)) fail(child(path, 'workload_config'), `must be an object (got ${shown(config)})`);
  if (config !== undefined && Object.keys(config).length > 0) out.workload_config = structuredClone(config);
  const contract = str(obj, 'workload_contract_version', path);
  if (contract !== '') out.workload_contract_version = contract;
  const reason = str(obj, 'error_reason', path);
  if (reason !== '') out.error_reason = reason;
  const operation = obj.operation ?? undefined;
  if (operation !== undefined) out.operation = operationOf(operation, child(path, 'operation'));
}

function operationOf(raw: unknown, path: string): NonNullable<InstanceRecord['operation']> {
  if (!isObject(raw)) fail(path, `must be an object (got ${shown(raw)})`);
  const out: NonNullable<InstanceRecord['operation']> = { kind: str(raw, 'kind', path, true), id: str(raw, 'id', path, true), started_at: timestamp(raw, 'started_at', path) };
  const label = str(raw, 'label', path);
  if (label !== '') out.label = label;
  return out;
}

/**
 * Every field the codec writes. Fields missing here would be silently dropped on the next
 * write, so adding one to `InstanceRecord` or `SnapshotInfo` without teaching this file
 * about it must fail to compile.
 */
const INSTANCE_FIELDS = [
  'name', 'dataset', 'subnet', 'subnet_index', 'metallb_ip', 'socket', 'pid_file', 'created_at', 'status',
  'clone_of', 'snapshots', 'workload_plugin', 'workload_config', 'workload_contract_version', 'error_reason', 'operation',
] as const satisfies readonly (keyof InstanceRecord)[];
const SNAPSHOT_FIELDS = ['label', 'created_at', 'tags', 'owner'] as const satisfies readonly (keyof SnapshotInfo)[];
type Unhandled = Exclude<keyof InstanceRecord, (typeof INSTANCE_FIELDS)[number]> | Exclude<keyof SnapshotInfo, (typeof SNAPSHOT_FIELDS)[number]>;
type MustBeNever<T extends never> = T;
export type AllStateFieldsHandled = MustBeNever<Unhandled>;

function instance(key: string, raw: unknown, path: string): InstanceRecord {
  if (raw === null) fail(path, 'is null');
  if (!isObject(raw)) fail(path, `must be an object (got ${shown(raw)})`);
  const name = str(raw, 'name', path, true);
  if (name !== key) fail(child(path, 'name'), `is ${JSON.stringify(name)} but must equal its map key ${JSON.stringify(key)}`);
  // Key order here is the on-disk field order of the original.
  const out = {
    name,
    dataset: str(raw, 'dataset', path, true),
    subnet: str(raw, 'subnet', path, true),
    subnet_index: index(raw, 'subnet_index', path),
    metallb_ip: str(raw, 'metallb_ip', path),
    socket: str(raw, 'socket', path),
    pid_file: str(raw, 'pid_file', path),
    created_at: timestamp(raw, 'created_at', path),
    status: status(raw, path),
  } as InstanceRecord;
  optionals(raw, path, out);
  return out;
}

/**
 * Validates and canonicalises a parsed state document (or one a caller built). Returns a
 * new object that shares nothing with `raw`, with fields in the original's order.
 * @throws StateFieldError naming the first offending field.
 */
export function decodeState(raw: unknown): StateDocument {
  if (!isObject(raw)) fail('(top level)', `must be an object (got ${Array.isArray(raw) ? 'a list' : shown(raw)})`);
  const instancesRaw = raw.instances ?? {};
  if (!isObject(instancesRaw)) fail('instances', `must be an object keyed by instance name (got ${shown(instancesRaw)})`);
  const instances: Record<string, InstanceRecord> = {};
  for (const [key, value] of Object.entries(instancesRaw)) {
    const record = instance(key, value, child('instances', key));
    // A hand-edited key "__proto__" must stay data, not become the prototype. (Only then:
    // defineProperty on every key turns the map into a slow dictionary-mode object.)
    if (key === '__proto__') Object.defineProperty(instances, key, { value: record, enumerable: true, writable: true, configurable: true });
    else instances[key] = record;
  }
  return { instances, next_subnet_index: index(raw, 'next_subnet_index', '') };
}

/** The on-disk text of a canonical document: 2-space indentation, no trailing newline (as the original). */
export function serializeState(canonical: StateDocument): string {
  return JSON.stringify(canonical, null, 2);
}
