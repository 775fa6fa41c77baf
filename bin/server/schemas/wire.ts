/**
 * JSON schemas of the REST API v1 response types (api-v1 §8), shared by fastify (response
 * serialisation, so internal fields never leak onto the wire) and the OpenAPI document
 * (`components.schemas`, by `$id`). Fields marked "ours" are additions of this implementation.
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const SnapshotInfoSchema = {
  $id: 'SnapshotInfo',
  type: 'object',
  required: ['label', 'created_at'],
  properties: {
    label: str,
    created_at: { ...str, description: 'RFC 3339 with fractional seconds (Go RFC3339Nano)' },
    tags: stringMap,
    owner: { ...str, description: 'ours: the client that created it (typed client `snapshot`)' },
  },
} as const;

export const InstanceSchema = {
  $id: 'Instance',
  type: 'object',
  required: ['name', 'dataset', 'subnet', 'subnet_index', 'metallb_ip', 'socket', 'pid_file', 'created_at', 'status', 'snapshots'],
  properties: {
    name: str,
    dataset: str,
    subnet: str,
    subnet_index: int,
    metallb_ip: str,
    socket: str,
    pid_file: str,
    created_at: str,
    status: { type: 'string', enum: ['running', 'stopped', 'error', 'busy'], description: 'live: running/stopped as the original; ours: error (see error_reason), busy while an operation runs' },
    error_reason: { ...str, description: 'ours: why the instance is in error' },
    clone_of: { ...str, description: '"<source>@<label>"' },
    snapshots: { type: 'array', items: { $ref: 'SnapshotInfo#' } },
    workload_plugin: str,
    workload_config: anyObject,
    workload_contract_version: str,
  },
} as const;

export const PortMappingSchema = {
  $id: 'PortMapping',
  type: 'object',
  required: ['host_port', 'container_port', 'protocol', 'description'],
  properties: {
    host_port: int,
    container_port: { ...int, description: 'the port dialled inside the namespace (Docker\'s published port there)' },
    in_container_port: int,
    protocol: str,
    description: { ...str, description: 'the label used by ${PORT:<label>}' },
    requested_host_port: int,
  },
} as const;

export const InstancePortsSchema = {
  $id: 'InstancePorts',
  type: 'object',
  required: ['instance', 'target_ip', 'ports'],
  properties: { instance: str, target_ip: str, ports: { type: 'array', items: { $ref: 'PortMapping#' } } },
} as const;

export const AccessResponseSchema = {
  $id: 'AccessResponse',
  type: 'object',
  required: ['env'],
  properties: {
    contract_version: str,
    env: stringMap,
    files: { type: 'array', items: { type: 'object', required: ['name', 'content'], properties: { name: str, content: str, mode: str } } },
    endpoints: { type: 'array', items: anyObject },
  },
} as const;

export const WorkloadDescribeSchema = {
  $id: 'WorkloadDescribeResponse',
  type: 'object',
  additionalProperties: true,
  properties: { workload_plugin: str, workload_type: str, contract_version: str, status: str, ports: { type: 'array', items: anyObject }, config: anyObject, details: anyObject },
} as const;

export const WorkloadHealthSchema = {
  $id: 'WorkloadHealthResponse',
  type: 'object',
  required: ['workload_plugin', 'healthy'],
  properties: {
    workload_plugin: str,
    healthy: { type: 'boolean' },
    checks: { type: 'array', items: { type: 'object', required: ['name', 'ok'], properties: { name: str, ok: { type: 'boolean' }, message: str } } },
    contract_version: str,
    checked_at: str,
    consecutive_fails: int,
  },
} as const;

export const ProgressEventSchema = {
  $id: 'ProgressEvent',
  type: 'object',
  required: ['step', 'status'],
  description: 'One NDJSON line of a streamed operation (Accept: application/x-ndjson).',
  properties: {
    step: str,
    status: { type: 'string', enum: ['running', 'done', 'error'] },
    message: str,
    code: { ...str, description: 'ours: the DS_ERR_* code, on the final error event only' },
  },
} as const;

export const ErrorEnvelopeSchema = {
  $id: 'ErrorEnvelope',
  type: 'object',
  required: ['error'],
  properties: { error: str, code: { ...str, description: 'ours: DS_ERR_*' }, details: anyObject },
} as const;

export const StatusOkSchema = {
  $id: 'StatusOk',
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

export const DaemonHealthSchema = {
  $id: 'DaemonHealth',
  type: 'object',
  required: ['status', 'version', 'uptime', 'started_at', 'instances', 'running', 'running_healthy', 'running_unhealthy'],
  properties: { status: str, version: str, uptime: str, started_at: str, instances: int, running: int, running_healthy: int, running_unhealthy: int },
} as const;

export const PluginInfoSchema = {
  $id: 'PluginInfo',
  type: 'object',
  required: ['name', 'status'],
  additionalProperties: true,
  properties: {
    name: str,
    status: { type: 'string', enum: ['ready', 'disabled'] },
    error: str,
    version: str,
    description: str,
    state: { type: 'string', enum: ['ok', 'skip', 'error'] },
    code: str,
    kind: str,
    source: str,
  },
} as const;

/** Every shared schema, registered once with `app.addSchema`. */
export const WIRE_SCHEMAS = [
  SnapshotInfoSchema,
  InstanceSchema,
  PortMappingSchema,
  InstancePortsSchema,
  AccessResponseSchema,
  WorkloadDescribeSchema,
  WorkloadHealthSchema,
  ProgressEventSchema,
  ErrorEnvelopeSchema,
  StatusOkSchema,
  DaemonHealthSchema,
  PluginInfoSchema,
] as const;

/** `{ $ref: '<id>#' }` for a shared schema. */
export function ref(schema: { $id: string }): { $ref: string } {
  return { $ref: `${schema.$id}#` };
}
