import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';

/**
 * Client commands stay light: the CLI bundle (what every command but `serve` loads) must not
 * contain the daemon — fastify, ajv, pino, dockerode, the lifecycle kernel — nor YAML. Read
 * from the esbuild metafile the build writes next to the bundle.
 */

const META = join(ROOT, 'dist', 'bin', 'cli', 'bundle.meta.json');
const HEAVY_PACKAGES = ['fastify', '@fastify/', 'ajv', 'pino', 'dockerode', 'docker-modem', 'execa', 'tapable', 'yaml', 'tar-stream', 'undici'];
/** Kernel modules the client legitimately shares: the error table, names, plugin manifests (CLI plugin commands). */
const KERNEL_ALLOWED = ['dist/kernel/errors.js', 'dist/kernel/names.js', 'dist/kernel/plugins/manifest.js', 'dist/kernel/plugins/discovery.js', 'dist/kernel/plugins/loader.js'];

t.test('the CLI bundle holds no daemon module', { skip: existsSync(META) ? false : 'run `npm run build` first (no bundle metafile)' }, async (t) => {
  const meta = JSON.parse(readFileSync(META, 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, { imports?: Array<{ path: string; external?: boolean }> }> };
  const inputs = Object.keys(meta.inputs);
  t.ok(inputs.some((i) => i.endsWith('dist/bin/cli/commands/create.js')), 'the instance commands are in it');
  t.ok(inputs.some((i) => i.endsWith('dist/plugin-sdk/client/instance-client.js')), 'the typed client is in it');
  const packages = inputs.filter((i) => i.includes('node_modules/')).map((i) => i.slice(i.lastIndexOf('node_modules/') + 'node_modules/'.length));
  t.same(packages.filter((p) => HEAVY_PACKAGES.some((h) => p.startsWith(h.endsWith('/') ? h : `${h}/`))), [], 'no heavy package');
  t.same(inputs.filter((i) => i.includes('dist/kernel/') && !KERNEL_ALLOWED.some((k) => i.endsWith(k))), [], 'no kernel module but the shared ones');
  t.same(inputs.filter((i) => i.includes('dist/bin/server/') || i.includes('dist/builtin-plugins/')), [], 'no server or builtin plugin');
  const externals = Object.values(meta.outputs).flatMap((o) => o.imports ?? []).filter((i) => i.external).map((i) => i.path);
  t.ok(externals.includes('../server/daemon.js'), 'serve imports the daemon at run time');
  t.ok(externals.includes('yaml'), 'yaml only when --config-file is read');
});
