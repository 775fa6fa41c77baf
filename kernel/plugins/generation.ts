import { CapabilityRegistry } from '../capabilities.js';
import { createHooks, type LifecycleHooks } from '../hooks.js';
import type { PluginInstance } from './plugin-instance.js';

/** A handle on one generation for the duration of an operation. */
export interface Lease {
  readonly generation: Generation;
  readonly hooks: LifecycleHooks;
  readonly capabilities: CapabilityRegistry;
  release(): void;
}

/**
 * One consistent plugin set: its hooks, its capabilities and its plugins. A reload builds a
 * new generation and swaps it in; operations that leased the old one finish on it, and the
 * plugins only the old one had are closed once its last lease is released.
 */
export class Generation {
  readonly hooks: LifecycleHooks = createHooks();
  readonly capabilities: CapabilityRegistry;
  /** Every discovered plugin (ok, skip, error), in set-up order. */
  readonly plugins = new Map<string, PluginInstance>();
  private leases = 0;
  private onDrained: (() => void) | undefined;

  constructor(
    readonly id: number,
    selection: Readonly<Record<string, string>>,
  ) {
    this.capabilities = new CapabilityRegistry(selection);
  }

  acquire(): Lease {
    this.leases += 1;
    let released = false;
    return {
      generation: this,
      hooks: this.hooks,
      capabilities: this.capabilities,
      release: () => {
        if (released) return;
        released = true;
        this.leases -= 1;
        if (this.leases === 0 && this.onDrained) this.onDrained();
      },
    };
  }

  get activeLeases(): number {
    return this.leases;
  }

  /** Resolves once no lease on this generation is held any more. */
  drained(): Promise<void> {
    if (this.leases === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onDrained = resolve;
    });
  }

  okPlugins(): PluginInstance[] {
    return [...this.plugins.values()].filter((p) => p.state === 'ok');
  }
}
