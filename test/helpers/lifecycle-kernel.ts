import { startTestKernel, type TestKernel } from '../../plugin-sdk/testing/index.js';
import { FakeDockerd, FakeNetns, FakeStorage, MemoryStateStore, FakeWorkload } from '../../plugin-sdk/testing/index.js';
import { definePlugin, dockerdCapability, netnsCapability, stateCapability, storageCapability, workloadCapability, type AnyPluginDefinition } from '../../plugin-sdk/index.js';
import { HOOK_NAMES } from '../../kernel/hooks.js';

export interface FakeWorld {
  tk: TestKernel;
  state: MemoryStateStore;
  storage: FakeStorage;
  netns: FakeNetns;
  dockerd: FakeDockerd;
  workload: FakeWorkload;
  /** Hooks seen by a recorder plugin: `<hook> <instance>[ <detail>]`. */
  hooks: string[];
}

/** A real kernel with fakes for every infrastructure capability plus a hook recorder. */
export async function fakeWorld(options: { settings?: Record<string, unknown>; plugins?: AnyPluginDefinition[]; storage?: FakeStorage } = {}): Promise<FakeWorld> {
  const hooks: string[] = [];
  const recorder = definePlugin({
    id: 'recorder',
    version: '1',
    setup(ctx) {
      for (const name of HOOK_NAMES) {
        if (name === 'reconcile') {
          ctx.hooks.reconcile.tap((c) => void hooks.push(`reconcile ${c.entries.length}`));
          continue;
        }
        (ctx.hooks[name] as { tap(fn: (c: Record<string, unknown>) => void): void }).tap((c) => {
          const detail = (c['label'] as string | undefined) ?? (c['reason'] as string | undefined) ?? (c['netns'] as { name: string } | undefined)?.name;
          hooks.push(`${name} ${String(c['instance'])}${detail ? ` ${detail}` : ''}`);
        });
      }
    },
  });
  const w = {
    state: new MemoryStateStore(),
    storage: options.storage ?? new FakeStorage(),
    netns: new FakeNetns(),
    dockerd: new FakeDockerd(),
    workload: new FakeWorkload('fakewl'),
  };
  const tk = await startTestKernel({
    fakes: [[stateCapability, w.state], [storageCapability, w.storage], [netnsCapability, w.netns], [dockerdCapability, w.dockerd], [workloadCapability, w.workload, 'fakewl']],
    plugins: [recorder, ...(options.plugins ?? [])],
    ...(options.settings ? { settings: options.settings } : {}),
  });
  return { tk, ...w, hooks };
}
