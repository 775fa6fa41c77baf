/** The one template token of workload config values (plugin-contract-v1 §15). */
export const INSTANCE_NAME_TOKEN = '{{ instance_name }}';

/**
 * Replaces the exact `{{ instance_name }}` in every string value, recursively (arrays, nested
 * objects); keys are never touched and any other `{{ … }}` text is kept. The daemon applies
 * it when it resolves a workload's config; in-process workloads use it for their own
 * defaults.
 */
export function templateInstanceName<T>(value: T, instance: string): T {
  if (typeof value === 'string') return value.split(INSTANCE_NAME_TOKEN).join(instance) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => templateInstanceName(v, instance)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, templateInstanceName(v, instance)])) as T;
  }
  return value;
}
