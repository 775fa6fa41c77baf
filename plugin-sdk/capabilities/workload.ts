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

export interface WorkloadInput {
  contract_version: string;
  instance: Record<string, unknown>;
  config: Record<string, unknown>;
  env?: Record<string, string>;
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
  validate(input: WorkloadInput, options?: WorkloadCallOptions): Promise<{ valid: boolean; errors?: string[] }>;
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
