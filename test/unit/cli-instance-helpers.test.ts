import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAccessFiles, accessDir, parseMode, withAccessDir } from '../../bin/cli/access-files.js';
import { protectPassthrough, hoistGlobalFlags } from '../../bin/cli/argv.js';
import { completionScript, type CompletionCommand } from '../../bin/cli/completion.js';
import { applyConfigPairs, parseConfigValue, parseTags, readConfigFile } from '../../bin/cli/config-values.js';
import { childExitCode } from '../../bin/cli/commands/docker.js';
import { workloadSchema } from '../../bin/cli/commands/workload/schema.js';
import { fileForPrinting, formatAccess, formatCreated, formatInstanceList, formatInstanceStatus, formatPorts, shortTime, sortedJson } from '../../bin/cli/instance-format.js';
import { renderCommandRows } from '../../bin/cli/help.js';
import { checkOutput, outputOf } from '../../bin/cli/output-flag.js';
import { ProgressPrinter, progressLine } from '../../bin/cli/progress.js';
import { exportLines, goQuote, isFish, unsetLines } from '../../bin/cli/shell.js';
import type { Instance } from '../../plugin-sdk/client/index.js';

const base: Instance = { name: 'demo', dataset: 'dockersnap/instances/demo', subnet: '10.10.0.0/16', subnet_index: 0, metallb_ip: '10.10.10.10', socket: '/run/dockersnap/demo.sock', pid_file: '/run/dockersnap/demo.pid', created_at: '2026-04-30T10:00:00.123456789+02:00', status: 'running', snapshots: [] };

t.test('--config k=v values are typed as the original types them', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['true', true], ['false', false], ['null', null], ['42', 42], ['-7', -7], ['+3', 3], ['007', 7], ['1.5', 1.5], ['1e3', 1000], ['.5', 0.5], ['-2.5E-1', -0.25],
    ['[1,"a"]', [1, 'a']], ['{"a":{"b":1}}', { a: { b: 1 } }], ['[not json]', '[not json]'], ['{x}', '{x}'],
    ['', ''], ['True', 'True'], ['inf', 'inf'], ['NaN', 'NaN'], ['0x10', '0x10'], ['1_000', '1_000'], ['v1.2', 'v1.2'], ['hello world', 'hello world'],
  ];
  for (const [raw, want] of cases) t.same(parseConfigValue(raw), want, JSON.stringify(raw));
  t.same(applyConfigPairs({ image: 'a', port: 1 }, ['port=5678', 'text=a=b', 'wait_ready=true', 'empty=']), { image: 'a', port: 5678, text: 'a=b', wait_ready: true, empty: '' }, 'split at the first =, overlaying the file');
  t.same(applyConfigPairs({}, ['__proto__=1']), JSON.parse('{"__proto__":1}'), '__proto__ is an ordinary key');
  t.throws(() => applyConfigPairs({}, ['novalue']), { code: 'DS_ERR_INVALID_INPUT', message: '--config "novalue": expected key=value' });
  t.throws(() => applyConfigPairs({}, ['=x']), { message: '--config "=x": expected key=value' });
});

t.test('--config-file: YAML or JSON mapping', async (t) => {
  const dir = t.testdir({ 'c.yaml': 'image: nginx\nport: 8080\nflags: [a, b]\n', 'c.json': '{"a": 1}', 'list.yaml': '- a\n', 'empty.yaml': '', 'bad.yaml': 'a: [' });
  t.same(await readConfigFile(join(dir, 'c.yaml')), { image: 'nginx', port: 8080, flags: ['a', 'b'] });
  t.same(await readConfigFile(join(dir, 'c.json')), { a: 1 });
  t.same(await readConfigFile(join(dir, 'empty.yaml')), {});
  await t.rejects(readConfigFile(join(dir, 'list.yaml')), { code: 'DS_ERR_INVALID_INPUT', message: /expected a mapping/ });
  await t.rejects(readConfigFile(join(dir, 'bad.yaml')), { code: 'DS_ERR_INVALID_INPUT', message: /not valid YAML or JSON/ });
  await t.rejects(readConfigFile(join(dir, 'nosuch.yaml')), { code: 'DS_ERR_INVALID_INPUT', message: /ENOENT/ });
});

t.test('snapshot --tag parsing', async (t) => {
  t.same(parseTags([]), {});
  t.same(parseTags(['version=2.5.0', 'owner=team-a', 'flag', 'k=a=b', 'version=3']), { version: '3', owner: 'team-a', flag: '', k: 'a=b' });
});

t.test('use: Go-quoted exports that a shell evaluates back', async (t) => {
  t.equal(goQuote('plain'), '"plain"');
  t.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  t.equal(goQuote('tab\tnl\ncr\r\x07\x01\x7f'), '"tab\\tnl\\ncr\\r\\a\\x01\\x7f"');
  t.equal(goQuote('é ü 日本 🐳'), '"é ü 日本 🐳"', 'printable Unicode kept');
  t.equal(goQuote('nbsp\u00a0zw\u200b'), '"nbsp\\u00a0zw\\u200b"', 'non-printable Unicode escaped');
  t.equal(goQuote('$HOME `x`'), '"$HOME `x`"', '$ and backticks are not escaped (as the original)');
  t.same(exportLines({ DOCKER_HOST: 'unix:///run/dockersnap/demo.sock', X: 'a b' }, false), ['export DOCKER_HOST="unix:///run/dockersnap/demo.sock"', 'export X="a b"']);
  t.same(exportLines({ X: 'a' }, true), ['set -gx X "a";']);
  t.same(unsetLines(false), ['unset KUBECONFIG', 'unset DOCKERSNAP_INSTANCE', 'unset DOCKER_HOST']);
  t.same(unsetLines(true), ['set -e KUBECONFIG;', 'set -e DOCKERSNAP_INSTANCE;', 'set -e DOCKER_HOST;']);
  t.ok(isFish({ FISH_VERSION: '3.6' }));
  t.ok(isFish({ SHELL: '/usr/bin/fish' }));
  t.notOk(isFish({ SHELL: '/bin/bash', FISH_VERSION: '' }));
  const values = { A: 'with "quotes" and \\backslash', B: 'spaces  and\ttabs', C: 'üñí 日本' };
  const lines = exportLines(values, false).map((l) => `'${l.replace(/'/g, `'\\''`)}'`).join(' ');
  const read = (evalLine: string) => execFileSync('bash', ['-c', `out() { printf '%s\\n' ${lines}; }\n${evalLine}\nprintf '%s|' "$A" "$B" "$C"`], { encoding: 'utf8' });
  t.equal(read('eval "$(out)"'), `${values.A}|${values.B.replace('\t', '\\t')}|${values.C}|`, 'eval "$(…)" reads the values back (a tab stays \\t, as with the original)');
  t.equal(read('eval $(out)'), `${values.A}|spaces and\\ttabs|${values.C}|`, 'unquoted eval $(…) works too; the shell folds runs of spaces');
});

t.test('access files: materialised with modes, ${ACCESS_DIR} resolved, names confined', async (t) => {
  const home = t.testdir({});
  t.equal(accessDir('demo', home), join(home, '.dockersnap', 'demo'));
  const dir = accessDir('demo', home);
  const files = await writeAccessFiles({ env: {}, files: [{ name: 'kubeconfig', content: 'path: ${ACCESS_DIR}/x', mode: '0640' }, { name: 'plain', content: 'p' }] }, dir);
  t.same(files, [join(dir, 'kubeconfig'), join(dir, 'plain')]);
  t.equal(readFileSync(join(dir, 'kubeconfig'), 'utf8'), `path: ${dir}/x`);
  t.equal(statSync(join(dir, 'kubeconfig')).mode & 0o777, 0o640 & ~process.umask());
  t.equal(statSync(join(dir, 'plain')).mode & 0o777, 0o600 & ~process.umask(), 'empty mode is 0600');
  writeFileSync(join(dir, 'plain'), 'old');
  await writeAccessFiles({ env: {}, files: [{ name: 'plain', content: 'new', mode: '0644' }] }, dir);
  t.equal(readFileSync(join(dir, 'plain'), 'utf8'), 'new', 'overwritten');
  t.same(await writeAccessFiles({ env: {} }, accessDir('empty', home)), []);
  t.ok(statSync(accessDir('empty', home)).isDirectory(), 'the dir exists even without files');
  for (const name of ['../escape', 'a/b', '..', '']) await t.rejects(writeAccessFiles({ env: {}, files: [{ name, content: '' }] }, dir), { code: 'DS_ERR_INVALID_INPUT' }, `refuses ${JSON.stringify(name)}`);
  t.throws(() => parseMode('f', '0999'), { message: 'file "f": invalid mode "0999": expected octal permissions such as 0600' });
  t.equal(parseMode('f', '755'), 0o755);
  t.equal(withAccessDir('${ACCESS_DIR}/a ${ACCESS_DIR}', '/d'), '/d/a /d');
});

t.test('tables and texts of the read commands', async (t) => {
  t.equal(formatInstanceList([]), 'No instances found.');
  const clone: Instance = { ...base, name: 'demo-dev', created_at: '2026-05-01T08:30:00Z', status: 'stopped', clone_of: 'demo@golden', subnet: '10.11.0.0/16' };
  const withSnaps: Instance = { ...base, snapshots: [{ label: 'golden', created_at: '2026-04-30T11:02:03Z', tags: { version: '2.5.0', owner: 'team-a' } }, { label: 'legacy', created_at: '0001-01-01T00:00:00Z' }] };
  t.equal(formatInstanceList([clone, withSnaps]), [
    'NAME      STATUS   CREATED           SUBNET        SNAPSHOTS  CLONE OF',
    'demo      running  2026-04-30 10:00  10.10.0.0/16  2',
    'demo-dev  stopped  2026-05-01 08:30  10.11.0.0/16  0          demo@golden',
  ].join('\n'), 'oldest first, times in their own offset');
  t.equal(formatInstanceStatus(withSnaps), [
    'Instance:    demo', 'Status:      running', 'Dataset:     dockersnap/instances/demo', 'Subnet:      10.10.0.0/16', 'MetalLB IP:  10.10.10.10', 'Socket:      /run/dockersnap/demo.sock', 'Created:     2026-04-30 10:00:00',
    'Snapshots:', '  - golden (2026-04-30 11:02) [version=2.5.0] [owner=team-a]', '  - legacy',
  ].join('\n'));
  t.match(formatInstanceStatus({ ...clone, status: 'error', error_reason: 'its dataset is missing' }), /\nStatus: {6}error\nError: {7}its dataset is missing\n[\s\S]*\nClone of: {4}demo@golden$/);
  t.equal(formatCreated({ ...base, workload_plugin: 'kind' }), 'Instance "demo" created successfully.\n  Dataset:  dockersnap/instances/demo\n  Subnet:   10.10.0.0/16\n  Socket:   /run/dockersnap/demo.sock\n  Workload: kind');
  t.notMatch(formatCreated(base), /Workload/);
  t.equal(shortTime('not a time'), 'not a time');
  t.equal(formatPorts({ instance: 'demo', target_ip: '', ports: [] }), 'No ports forwarded for instance "demo".');
  t.equal(formatPorts({ instance: 'demo', target_ip: '10.10.0.2', ports: [{ host_port: 41003, container_port: 32768, in_container_port: 5678, protocol: 'tcp', description: 'container:3f2a9c1d7b44/5678/tcp', requested_host_port: 32768 }, { host_port: 34567, container_port: 34567, protocol: 'tcp', description: 'kubernetes-api' }] }), [
    'HOST PORT  NS PORT  CONTAINER PORT  PROTO  LABEL                            NOTE',
    '34567      34567    -               tcp    kubernetes-api',
    '41003      32768    5678            tcp    container:3f2a9c1d7b44/5678/tcp  wanted 32768',
  ].join('\n'));
  const bundle = { env: { DOCKER_HOST: 'unix:///run/dockersnap/demo.sock', KUBECONFIG: '${ACCESS_DIR}/kubeconfig' }, files: [{ name: 'kubeconfig', content: 'x'.repeat(5631), mode: '' }], endpoints: [{ name: 'kubernetes-api', url: 'https://vm.example.com:34567', insecure: true, description: 'kubectl-compatible Kubernetes API' }, { name: 'bare' }] };
  t.equal(formatAccess('demo', bundle), [
    'Instance: demo', 'Env:', '  DOCKER_HOST=unix:///run/dockersnap/demo.sock', '  KUBECONFIG=${ACCESS_DIR}/kubeconfig',
    'Files:', '  kubeconfig           mode=0600  size=5631 bytes', "  (use --file <name> to print a single file's content)",
    'Endpoints:', '  kubernetes-api → https://vm.example.com:34567  (insecure)  # kubectl-compatible Kubernetes API', '  bare',
  ].join('\n'));
  t.equal(formatAccess('demo', { env: {} }), 'Instance: demo');
  t.equal(fileForPrinting('a ${ACCESS_DIR}/b'), 'a /b\n');
  t.equal(fileForPrinting('done\n'), 'done\n');
  t.equal(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } }), '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}');
  t.same(workloadSchema({ name: 'kind', status: 'ready', version: '1', config_options: [{ name: 'x', type: 'string' }], state: 'ok' }), { name: 'kind', version: '1', config_options: [{ name: 'x', type: 'string' }] });
});

t.test('root help rows: two columns, summaries wrapped to the width', async (t) => {
  t.equal(renderCommandRows([['ls', 'List'], ['workload health', 'Show health']], 80), 'ls               List\nworkload health  Show health');
  t.equal(renderCommandRows([['use', 'Print shell exports pointing docker at an instance']], 30), 'use  Print shell exports\n     pointing docker at an\n     instance');
  t.equal(renderCommandRows([['x', '']], 80), 'x');
});

t.test('-o: json or text, anything else refused', async (t) => {
  t.equal(outputOf(['demo', '-o', 'json']), 'json');
  t.equal(outputOf(['-ojson']), 'json');
  t.equal(outputOf(['--output=json', 'x']), 'json');
  t.equal(outputOf(['--output', 'text']), 'text');
  t.equal(outputOf(['x', '--', '-o', 'json']), undefined, 'not after --');
  t.equal(checkOutput(undefined), 'text');
  t.equal(checkOutput('json'), 'json');
  t.throws(() => checkOutput('yaml'), { code: 'DS_ERR_INVALID_INPUT', message: 'unknown -o format "yaml" (want: text, json)' });
});

t.test('progress lines: the original printer, a spinner only on a TTY', async (t) => {
  t.equal(progressLine({ step: 'zfs_snapshot', status: 'running', message: 'Creating "golden"...' }), '  → Creating "golden"...');
  t.equal(progressLine({ step: 'x', status: 'running' }), '  → ', 'printed even without a message');
  t.equal(progressLine({ step: 'x', status: 'done', message: 'ok' }), undefined, 'done only for complete');
  t.equal(progressLine({ step: 'complete', status: 'done', message: 'Done' }), '  ✓ Done');
  t.equal(progressLine({ step: 'error', status: 'error', message: 'boom' }), '  ✗ boom');
  let piped = '';
  const p = new ProgressPrinter({ write: (s: string) => (piped += s), isTTY: false });
  p.event({ step: 'a', status: 'running', message: 'one' });
  p.event({ step: 'a', status: 'done' });
  p.event({ step: 'complete', status: 'done', message: 'two' });
  p.settle();
  t.equal(piped, '  → one\n  ✓ two\n', 'no control characters when piped');
  let tty = '';
  const q = new ProgressPrinter({ write: (s: string) => (tty += s), isTTY: true, columns: 80 });
  q.event({ step: 'a', status: 'running', message: 'working' });
  await new Promise((r) => setTimeout(r, 200));
  q.event({ step: 'error', status: 'error', message: 'boom' });
  q.settle();
  t.match(tty, /^\r\x1b\[2K {2}⠋ working(\r\x1b\[2K {2}[⠙⠹⠸⠼⠴⠦⠧⠇⠏⠋] working)+\r\x1b\[2K {2}→ working\n {2}✗ boom\n$/, 'the spinner line ends as the → line');
});

t.test('docker passthrough keeps docker flags away from the parser', async (t) => {
  t.same(protectPassthrough(['docker', 'demo', 'ps', '-a']), ['docker', 'demo', '--', 'ps', '-a']);
  t.same(protectPassthrough(['docker', 'demo', '--', 'ps', '-a']), ['docker', 'demo', '--', 'ps', '-a'], 'an explicit -- is kept');
  t.same(protectPassthrough(['-r', 'http://x', 'docker', 'demo', 'run', '--help']), ['-r', 'http://x', 'docker', 'demo', '--', 'run', '--help']);
  t.same(hoistGlobalFlags(protectPassthrough(['-r', 'http://x', 'docker', 'demo', 'ps'])), ['docker', 'demo', '-r', 'http://x', '--', 'ps']);
  t.same(protectPassthrough(['docker']), ['docker']);
  t.same(protectPassthrough(['list', '-o', 'json']), ['list', '-o', 'json'], 'other commands untouched');
  t.equal(childExitCode(3, null, {}), 3);
  t.equal(childExitCode(null, 'SIGINT', { SIGINT: 2 }), 130);
});

t.test('completion scripts from the command map', async (t) => {
  const commands: CompletionCommand[] = [
    { words: ['start'], aliases: [], summary: "Start an instance's dockerd", flags: [{ name: 'remote', char: 'r', takesValue: true, summary: 'API' }], instanceArg: true },
    { words: ['plugin', 'list'], aliases: [['plugins']], summary: 'List plugins', flags: [{ name: 'json', takesValue: false, summary: 'json' }], instanceArg: false },
    { words: ['completion'], aliases: [], summary: 'Completion', flags: [], instanceArg: false },
  ];
  const dir = t.testdir({ bin: { dockersnap: '#!/bin/sh\n[ "$1 $2" = "list -q" ] && printf "alpha\\nbeta\\n"\n' } });
  execFileSync('chmod', ['+x', join(dir, 'bin', 'dockersnap')]);
  const bash = completionScript('bash', commands);
  const complete = (...words: string[]) =>
    execFileSync('bash', ['-c', `${bash}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _dockersnap; printf '%s ' "\${COMPREPLY[@]}"`], { encoding: 'utf8', env: { PATH: `${join(dir, 'bin')}:${process.env['PATH']}` } }).trim();
  t.equal(complete('dockersnap', ''), 'completion plugin plugins start');
  t.equal(complete('dockersnap', 'plugin', ''), 'list');
  t.equal(complete('dockersnap', 'start', ''), 'alpha beta', 'instance names from the daemon');
  t.equal(complete('dockersnap', '-r', 'http://x', 'start', 'al'), 'alpha', 'global flags with values are skipped');
  t.equal(complete('dockersnap', 'start', '--r'), '--remote');
  t.equal(complete('dockersnap', 'plugins', '--'), '--json --help');
  t.equal(complete('dockersnap', 'completion', ''), 'bash zsh fish');
  t.match(completionScript('zsh', commands), /^#compdef dockersnap\n[\s\S]*bashcompinit[\s\S]*complete -F _dockersnap dockersnap\n$/);
  const fish = completionScript('fish', commands);
  t.match(fish, /complete -c dockersnap -n __fish_use_subcommand -a 'start' -d 'Start an instance'\\''s dockerd'/);
  t.match(fish, /complete -c dockersnap -n '__fish_seen_subcommand_from plugin' -a 'list' -d 'List plugins'/);
  t.match(fish, /-l remote -s r -r -d 'API'/);
  t.match(fish, /-a '\(dockersnap list -q 2>\/dev\/null\)'/);
});
