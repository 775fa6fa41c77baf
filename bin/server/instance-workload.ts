import type { Kernel } from '../../kernel/kernel.js';
import type { InstanceView } from '../../kernel/lifecycle/instances.js';
import { commandError, findWorkloadDriver, workloadInput } from '../../kernel/lifecycle/workload.js';
import { portProxyCapability, type InstancePorts } from '../../plugin-sdk/capabilities/port-proxy.js';
import { storageCapability } from '../../plugin-sdk/capabilities/storage.js';
import type { WorkloadDriver, WorkloadInput } from '../../plugin-sdk/capabilities/workload.js';
import type { InstanceRecord } from '../../plugin-sdk/state-types.js';

/** What a workload call gets: the instance's driver, its contract input and current forwards. */
export interface WorkloadCall {
  driver: WorkloadDriver;
  input: WorkloadInput;
  ports: InstancePorts | undefined;
}

/** The forwards the port proxy holds for `name`, or undefined without a port proxy. */
export function currentPorts(kernel: Kernel, name: string): InstancePorts | undefined {
  const lease = kernel.acquire();
  try {
    return lease.capabilities.tryGet(portProxyCapability)?.list(name);
  } finally {
    lease.release();
  }
}

/** A record for `workloadInput` from a view (the stored status is not part of the input). */
function asRecord(view: InstanceView): InstanceRecord {
  return { ...view, status: view.status === 'running' ? 'running' : view.status === 'error' ? 'error' : 'stopped' };
}

/**
 * Runs `fn` with the workload driver bound to `view` (an in-process `workload` key, else an
 * exec plugin of the `workloadCatalog`, found after a reload too) under one lease of the
 * current plugin generation. Failures, including a plugin that is gone or disabled, become
 * `plugin <command>: <reason>` (the original's text) with the plugin's own code, else
 * DS_ERR_PLUGIN_FAILED.
 */
export async function withWorkload<T>(kernel: Kernel, view: InstanceView, command: string, fn: (call: WorkloadCall) => Promise<T>): Promise<T> {
  const plugin = view.workload_plugin!;
  const lease = kernel.acquire();
  try {
    const storage = lease.capabilities.tryGet(storageCapability);
    const ports = lease.capabilities.tryGet(portProxyCapability)?.list(view.name);
    const input = { ...workloadInput(asRecord(view), kernel.settings, storage ? storage.describe(view.name).mountpoint : '', ports), command };
    try {
      return await fn({ driver: findWorkloadDriver(lease, plugin), input, ports });
    } catch (err) {
      throw commandError(command, plugin, err);
    }
  } finally {
    lease.release();
  }
}
