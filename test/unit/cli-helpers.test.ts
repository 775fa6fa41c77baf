import t from 'tap';
import { hoistGlobalFlags } from '../../bin/cli/argv.js';
import { formatHealth } from '../../bin/cli/commands/health.js';
import { formatPluginTable } from '../../bin/cli/commands/plugin/list.js';
import { formatReload } from '../../bin/cli/commands/plugin/reload.js';
import { exitCodeOf, toCliError, unknownCommandOf, withPrefix } from '../../bin/cli/errors.js';
import { suggestCommands } from '../../bin/cli/suggest.js';
import { formatTable } from '../../bin/cli/table.js';
import { parseFirstJsonValue, toHttpError } from '../../bin/server/envelope.js';
import { parseListen } from '../../bin/server/listen.js';
import { formatGoDuration, rfc3339Seconds } from '../../bin/server/version.js';
import { DsError } from '../../kernel/errors.js';

t.test('global flags may come before the command', async (t) => {
  t.same(hoistGlobalFlags(['-r', 'http://x', 'plugin', 'list']), ['plugin', 'list', '-r', 'http://x']);
  t.same(hoistGlobalFlags(['--token=a', '-t', 'b', 'hello', '--', 'x']), ['hello', '--token=a', '-t', 'b', '--', 'x']);
  t.same(hoistGlobalFlags(['plugin', 'list', '-r', 'u']), ['plugin', 'list', '-r', 'u'], 'unchanged after the command');
  t.same(hoistGlobalFlags(['-r']), ['-r'], 'a dangling flag is left to the parser');
});

t.test('tables and command output', async (t) => {
  t.equal(formatTable(['A', 'BB'], [['long-value', 'x'], ['y', '']]), 'A           BB\nlong-value  x\ny');
  t.equal(formatPluginTable([]), 'No plugins found.');
  const table = formatPluginTable([
    { name: 'good', status: 'ready', state: 'ok', version: '1.0.0', source: 'dir', description: 'fine' },
    { name: 'broken', status: 'disabled', state: 'error', version: '1.0.0', source: 'dir', description: 'd', error: 'boom' },
    { name: 'exec', status: 'disabled', error: 'schema failed' },
  ]);
  t.equal(table, ['NAME    STATUS  VERSION  SOURCE  KIND  DESCRIPTION', 'good    ok      1.0.0    dir     -     fine', 'broken  error   1.0.0    dir     -     boom', 'exec    error   -        -       -     schema failed'].join('\n'));
  t.equal(formatReload([{ name: 'good', status: 'ready', state: 'ok', version: '1.0.0' }]), 'Reloaded 1 plugin(s):\n  good             ok  1.0.0');
  const health = { status: 'ok', version: 'v1.0.0+dev', uptime: '1m0s', started_at: '2026-05-01T09:00:00Z', instances: 3, running: 2, running_healthy: 0, running_unhealthy: 0 };
  t.equal(formatHealth(health), 'Status:     ok\nVersion:    v1.0.0+dev\nUptime:     1m0s\nStarted:    2026-05-01T09:00:00Z\nInstances:  3 (2 running)');
  t.match(formatHealth({ ...health, version: '', running_healthy: 1 }), /^Status: {5}ok\nUptime:[\s\S]*\nWorkloads:  1 healthy, 0 unhealthy$/);
});

t.test('CLI errors: codes, prefixes, exit codes', async (t) => {
  const parse = Object.assign(new Error('Unexpected argument: b\nSee more help with --help'), { parse: {}, oclif: { exit: 2 } });
  t.match(toCliError(parse), { code: 'DS_ERR_INVALID_INPUT', message: 'Unexpected argument: b (see --help)' });
  const missing = Object.assign(new Error('Missing 1 required arg:\nname  plugin name\nSee more help with --help'), { parse: {}, args: [{ name: 'name' }] });
  t.equal(toCliError(missing).message, 'missing required argument <name> (see --help)');
  t.match(toCliError(new Error('command hello:bob not found')), { code: 'DS_ERR_INVALID_INPUT', message: 'command "hello bob" not found' });
  t.equal(unknownCommandOf(new Error('Command plugin:nosuch not found.')), 'plugin nosuch');
  t.match(toCliError(new Error('boom')), { code: 'DS_ERR_INTERNAL', exitCode: 1 });
  const e = new DsError('DS_ERR_NOT_FOUND', 'x');
  t.equal(toCliError(e), e);
  t.match(withPrefix(e, 'plugin list'), { code: 'DS_ERR_NOT_FOUND', message: 'plugin list: x', exitCode: 3 });
  t.equal(withPrefix(withPrefix(e, 'p'), 'p').message, 'p: x', 'not prefixed twice');
  t.equal(exitCodeOf(Object.assign(new Error('EEXIT: 4'), { code: 'EEXIT', oclif: { exit: 4 } })), 4);
  t.equal(exitCodeOf(e), undefined);
});

t.test('did you mean', async (t) => {
  const known = ['health', 'help', 'plugin', 'plugin list', 'plugins', 'serve', 'version'];
  t.same(suggestCommands('helth', known), ['health', 'help']);
  t.same(suggestCommands('plugn', known), ['plugin', 'plugins']);
  t.same(suggestCommands('zzzzzzz', known), []);
});

t.test('server helpers', async (t) => {
  t.same(parseListen('127.0.0.1:9847'), { host: '127.0.0.1', port: 9847 });
  t.same(parseListen('[::1]:80'), { host: '::1', port: 80 });
  t.same(parseListen(':9847'), { host: '0.0.0.0', port: 9847 });
  for (const bad of ['9847', 'host:', 'host:99999', 'a:b:c']) t.throws(() => parseListen(bad), { code: 'DS_ERR_CONFIG' }, bad);
  t.same(['0s', '45s', '2m0s', '1h2m3s', '26h0m5s'], [0, 45_999, 120_000, 3_723_000, 93_605_000].map(formatGoDuration));
  t.equal(rfc3339Seconds(new Date('2026-05-01T09:00:00.789Z')), '2026-05-01T09:00:00Z');
  t.same(parseFirstJsonValue('{"a":1} {"b":2}'), { a: 1 });
  t.throws(() => parseFirstJsonValue('{"a":'));
  t.match(toHttpError(Object.assign(new Error('body/x must be string'), { validation: [{}], statusCode: 400 }), 10), { code: 'DS_ERR_INVALID_INPUT', httpStatus: 400 });
  t.match(toHttpError(Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 10), { code: 'DS_ERR_PAYLOAD_TOO_LARGE', httpStatus: 413 });
  t.match(toHttpError(Object.assign(new Error('unsupported'), { statusCode: 415 }), 10), { code: 'DS_ERR_INVALID_INPUT', httpStatus: 400 });
  t.match(toHttpError(new Error('oops'), 10), { code: 'DS_ERR_INTERNAL', httpStatus: 500, message: 'internal error: oops' });
});
