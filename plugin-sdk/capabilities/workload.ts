import { defineCapability } from '../capability.js';

/** Contract v1 progress event (NDJSON line). */
export interface ProgressEvent {
  step: string;
  status: 'running' | 'done' | 'error';
  message?: string;
}

export interface ConfigOption {
  name: string;
  type: 'string' | 'int' | 'bool' | 'float' | 'duration' | 'object' | 'array' | string;
  default?: unknown;
  description?: string;
  required?: boolean;
}

export interface WorkloadSchema {
  plugin_name: string;
  plugin_version: string;
  description?: string;
  supported_contract_versions: string[];
  config_options?: ConfigOption[];
}

/** `PluginInput.instance` (contract v1 §5). */
export interface WorkloadInstanceInfo {
  name: string;
  socket: string;
  subnet: string;
  data_root: string;
  host_veth_ip: string;
  ns_veth_ip: string;
  netns_name: string;
  metallb_ip: string;
  created_at: string;
  clone_of?: string;
}

/** Contract v1 `PluginInput`: stdin of exec plugins, the argument of in-process ones. */
export interface WorkloadInput {
  contract_version: string;
  /** Set by the runner to the command being run. */
  command?: string;
  instance_name: string;
  instance: WorkloadInstanceInfo;
  forwarded_ports?: Array<{ label: string; container_port: number; host_port: number; protocol: string }>;
  env?: Record<string, string>;
  plugin_config?: Record<string, unknown>;
}

export interface AccessResponse {
  contract_version?: string;
  env?: Record<string, string>;
  files?: Array<{ name: string; content: string; mode?: string }>;
  endpoints?: Array<Record<string, unknown>>;
}

export interface HealthCheck {
  name: string;
  ok: boolean;
  message?: string;
}

export interface HealthResponse {
  /** Passed through from the plugin (`"1"` in the runner's synthetic result). */
  contract_version?: string;
  healthy: boolean;
  checks?: HealthCheck[];
}

export interface WorkloadCallOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

/** A workload type (kind, echo, an exec plugin). Keyed by its plugin name. */
export interface WorkloadDriver {
  schema(): Promise<WorkloadSchema>;
  validate(input: WorkloadInput, options?: WorkloadCallOptions): Promise<{ valid: boolean; errors?: string[]; warnings?: string[] }>;
  deploy(input: WorkloadInput, options?: WorkloadCallOptions): Promise<void>;
  teardown(input: WorkloadInput, options?: WorkloadCallOptions): Promise<void>;
  access(input: WorkloadInput, options?: WorkloadCallOptions): Promise<AccessResponse>;
  describe(input: WorkloadInput, options?: WorkloadCallOptions): Promise<Record<string, unknown>>;
  health(input: WorkloadInput, options?: WorkloadCallOptions): Promise<HealthResponse>;
}

export const workloadCapability = defineCapability<WorkloadDriver, 'multi'>({
  id: 'workload',
  cardinality: 'multi',
  description: 'workload types deployable into an instance, keyed by name',
});
