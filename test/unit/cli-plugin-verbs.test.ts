import t from 'tap';
import { formatPluginTable, pluginKind } from '../../bin/cli/commands/plugin/list.js';
import { formatReload } from '../../bin/cli/commands/plugin/reload.js';
import { findWorkloadPlugin } from '../../bin/cli/commands/workload/schema.js';
import { DsError } from '../../kernel/errors.js';
import type { PluginInfo } from '../../plugin-sdk/client/index.js';

const kernel = (name: string, extra: Partial<PluginInfo> = {}): PluginInfo => ({ name, status: 'ready', state: 'ok', version: '1.0.0', kind: 'kernel', source: 'dir', description: `${name} plugin`, ...extra });
const workload = (name: string): PluginInfo => ({ name, status: 'ready', state: 'ok', version: '1.0.0', kind: 'workload', description: `${name} workload`, config_options: [{ name: 'x', type: 'string' }] });
const exec: PluginInfo = { name: 'bash-exec', status: 'ready', version: '1.0.0', kind: 'exec', description: 'exec plugin', config_options: [{ name: 'y', type: 'int' }] };

t.test('plugin list: KIND per entry; a plugin and its same-named workload type are one row', async (t) => {
  t.equal(pluginKind(exec), 'exec');
  t.equal(pluginKind(kernel('a')), 'in-process');
  t.equal(pluginKind(workload('a')), 'in-process workload');
  t.equal(pluginKind({ name: 'go', status: 'ready' }), '-', "the original daemon's entries have no kind");
  const table = formatPluginTable([exec, workload('echo'), kernel('inproc-ts', { provides: ['workload'] }), workload('inproc-ts'), kernel('workload-echo', { source: 'builtin' })]);
  t.equal(
    table,
    [
      'NAME           STATUS  VERSION  SOURCE   KIND                 DESCRIPTION',
      'bash-exec      ok      1.0.0    dir      exec                 exec plugin',
      'echo           ok      1.0.0    -        in-process workload  echo workload',
      'inproc-ts      ok      1.0.0    dir      in-process workload  inproc-ts plugin',
      'workload-echo  ok      1.0.0    builtin  in-process           workload-echo plugin',
    ].join('\n'),
  );
});

t.test('workload schema: exec and in-process workloads, never a plain kernel plugin', async (t) => {
  const list = [exec, kernel('inproc-ts'), workload('inproc-ts'), kernel('storage-btrfs', { source: 'builtin' }), workload('echo')];
  const client = {
    async plugin(name: string): Promise<PluginInfo> {
      const found = list.find((p) => p.name === name);
      if (!found) throw new DsError('DS_ERR_PLUGIN_NOT_FOUND', `plugin "${name}" not found`);
      return found;
    },
    async plugins() {
      return list;
    },
  };
  t.equal(await findWorkloadPlugin(client, 'bash-exec'), exec);
  t.equal(await findWorkloadPlugin(client, 'echo'), list[4]);
  t.equal(await findWorkloadPlugin(client, 'inproc-ts'), list[2], 'the workload entry, not the plugin of the same name');
  await t.rejects(findWorkloadPlugin(client, 'storage-btrfs'), { code: 'DS_ERR_PLUGIN_NOT_FOUND', message: /plugin "storage-btrfs" provides no workload type/ });
  await t.rejects(findWorkloadPlugin(client, 'nosuch'), { code: 'DS_ERR_PLUGIN_NOT_FOUND', message: 'plugin "nosuch" not found' });
  const original = { plugin: async () => ({ name: 'kind', status: 'ready' as const, config_options: [] }), plugins: async () => [] };
  t.match(await findWorkloadPlugin(original, 'kind'), { name: 'kind' }, "the original daemon's entries (no kind) are workload plugins");
});

t.test('plugin reload: one line per plugin, a plugin and its same-named workload type merged', async (t) => {
  t.equal(formatReload([exec, kernel('inproc-ts'), workload('inproc-ts')]), 'Reloaded 2 plugin(s):\n  bash-exec        ok  1.0.0\n  inproc-ts        ok  1.0.0');
});
