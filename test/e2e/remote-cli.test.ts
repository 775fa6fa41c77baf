import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanEnv, type CliResult, requireBuild, runCli, serveForTest, writeDaemonConfig } from '../helpers/daemon.js';
import { RUN_PREFIX } from '../helpers/fixtures.js';
import { hostSkip } from '../helpers/host.js';

/**
 * The CLI against a real `dockersnap serve` (real builtins: btrfs loop pool, netns, dockerd),
 * every path in a temp dir. One scenario — create, snapshot, revert, clone, ports, access, use,
 * docker passthrough, delete — runs three times against the same daemon, reached three ways:
 * the default address (127.0.0.1:9847, when it is free on this host; otherwise that leg is
 * skipped: another daemon may own it), `DOCKERSNAP_REMOTE`, and `--remote`. The transcripts,
 * with names, addresses and times normalised, must be identical.
 */

const DEFAULT_PORT = 9847;
const skip = hostSkip(['dockerd', 'docker', 'btrfs', 'mkfs.btrfs', 'losetup', 'ip', 'iptables', 'nsenter', 'bash']);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

interface Leg {
  label: string;
  env: NodeJS.ProcessEnv;
  /** Global flags put before the command. */
  flags: string[];
}

/** One line of a transcript: the command, its exit code and normalised output. */
type Entry = { cmd: string; code: number | null; stdout: string };

function normalise(text: string, names: Record<string, string>): string {
  let out = text;
  for (const [name, token] of Object.entries(names).sort((a, b) => b[0].length - a[0].length)) out = out.split(name).join(token);
  return out
    .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?/g, '<time>')
    .replace(/10\.2[4-5]\d\.\d+\.\d+/g, '<ip>')
    .replace(/"subnet_index": \d+/g, '"subnet_index": <n>')
    .replace(/\(pid \d+\)/g, '(pid <n>)')
    .replace(/^[0-9a-f]{12} .*$/gm, '<container>');
}

async function scenario(t: Test, leg: Leg, transcript: Entry[]): Promise<void> {
  const a = `${RUN_PREFIX}-${leg.label}`;
  const b = `${a}-c`;
  const names = { [b]: '<B>', [a]: '<A>' };
  const cli = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli([...leg.flags, ...args], leg.env, 180_000);
    transcript.push({ cmd: normalise(args.join(' '), names), code: r.code, stdout: normalise(r.stdout, names) });
    return r;
  };
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await cli(...args);
    t.equal(r.code, 0, `${leg.label}: ${args.join(' ')}${r.code === 0 ? '' : ` → ${r.stderr}`}`);
    return r;
  };

  t.match((await ok('create', a)).stdout, new RegExp(`^ {2}→ .*\\n[\\s\\S]*Instance "${a}" created successfully\\.\\n {2}Dataset: `, 'm'));
  await ok('docker', a, '--', 'volume', 'create', 'v1');
  await ok('snapshot', a, 'golden', '--tag', 'suite=remote-cli');
  await ok('docker', a, 'volume', 'create', 'v2');
  t.match((await ok('revert', a, 'golden')).stdout, /✓ Reverted to "golden" successfully/);
  t.equal((await ok('docker', a, '--', 'volume', 'ls', '-q')).stdout, 'v1\n', 'the revert brought back the snapshot (v2 is gone)');
  t.match((await ok('clone', a, 'golden', b)).stdout, /✓ Clone ".*" created successfully/);
  t.equal((await ok('docker', b, 'volume', 'ls', '-q')).stdout, 'v1\n', 'the clone has the snapshot');

  const status = JSON.parse((await ok('status', a, '-o', 'json')).stdout);
  t.match(status, { name: a, status: 'running', snapshots: [{ label: 'golden', tags: { suite: 'remote-cli' } }] });
  t.match(JSON.parse((await ok('status', b, '--json')).stdout), { name: b, status: 'running', clone_of: `${a}@golden` });
  const list = JSON.parse((await ok('list', '-o', 'json')).stdout) as Array<{ name: string }>;
  t.ok(list.some((i) => i.name === a) && list.some((i) => i.name === b), 'both listed');
  t.match((await ok('status', a)).stdout, /^Instance: {4}.*\nStatus: {6}running\n[\s\S]*Snapshots:\n {2}- golden \(.*\) \[suite=remote-cli\]\n$/);

  t.match(JSON.parse((await ok('ports', a, '--refresh', '-o', 'json')).stdout), { instance: a, ports: Array });
  await ok('ports', a);
  const access = JSON.parse((await ok('access', a, '-o', 'json')).stdout);
  t.same(access.env, { DOCKER_HOST: `unix://${status.socket}`, DOCKERSNAP_INSTANCE: a });
  t.match((await ok('access', a)).stdout, new RegExp(`^Instance: ${a}\\nEnv:\\n {2}DOCKER_HOST=unix://`));

  const dockersnap = leg.flags.length > 0 ? `dockersnap ${leg.flags.join(' ')}` : 'dockersnap';
  const evald = await bash(`eval $(${dockersnap} use ${a}); docker ps; echo "host=$DOCKER_HOST instance=$DOCKERSNAP_INSTANCE"`, leg.env);
  t.equal(evald.code, 0, `${leg.label}: eval $(dockersnap use) ; docker ps${evald.code === 0 ? '' : ` → ${evald.stderr}`}`);
  t.match(evald.stdout, new RegExp(`^CONTAINER ID[\\s\\S]*\\nhost=unix://${status.socket} instance=${a}\\n$`));
  t.match(evald.stderr, new RegExp(`^# Configured for instance "${a}"$`, 'm'));
  transcript.push({ cmd: 'eval $(dockersnap use <A>); docker ps', code: evald.code, stdout: normalise(evald.stdout, names) });
  const unset = await bash(`eval $(${dockersnap} use ${a}); eval $(dockersnap use --unset); echo "host=$DOCKER_HOST"`, leg.env);
  t.equal(unset.stdout.trim().split('\n').pop(), 'host=', 'use --unset undoes it');

  t.match((await ok('docker', a, '--', 'ps', '-a')).stdout, /^CONTAINER ID\s+IMAGE/);
  t.equal((await cli('docker', a, '--', 'inspect', 'no-such-container')).code, 1, "docker's own exit code");

  await ok('delete', b);
  await ok('delete', a);
  const gone = await cli('status', a);
  t.equal(gone.code, 3, 'a deleted instance is not found (exit 3)');
  t.match(gone.stderr, /^Error: getting instance status: instance not found: ".*" \[DS_ERR_NOT_FOUND\]$/m);
  t.notOk((JSON.parse((await ok('list', '--json')).stdout) as Array<{ name: string }>).some((i) => i.name === a || i.name === b), 'both gone');
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

t.test('the CLI against a real serve: default address, DOCKERSNAP_REMOTE and --remote agree', { skip, timeout: 900_000 }, async (t) => {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), `${RUN_PREFIX}-e2e-cli-`));
  const home = join(dir, 'home');
  const bin = join(dir, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  writeFileSync(join(bin, 'dockersnap'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
  chmodSync(join(bin, 'dockersnap'), 0o755);
  const useDefault = await portFree(DEFAULT_PORT);
  const config = writeDaemonConfig(dir, { api: { listen: `127.0.0.1:${useDefault ? DEFAULT_PORT : 0}` }, network: { base_offset: '10.241.0.0' } });
  const daemon = await serveForTest(t, dir, config);
  t.match(daemon.output(), /"msg":"reconcile finished"/, 'serve reconciled before listening');

  const base = cleanEnv({ HOME: home, PATH: `${bin}:${process.env['PATH']}` });
  const legs: Leg[] = [
    ...(useDefault ? [{ label: 'dflt', env: base, flags: [] }] : []),
    { label: 'env', env: { ...base, DOCKERSNAP_REMOTE: daemon.url }, flags: [] },
    { label: 'flag', env: base, flags: ['--remote', daemon.url] },
  ];
  if (!useDefault) t.comment(`127.0.0.1:${DEFAULT_PORT} is in use on this host: the default-address leg is skipped (serve listens on ${daemon.url})`);
  const transcripts: Entry[][] = [];
  for (const leg of legs) {
    const transcript: Entry[] = [];
    await t.test(`via ${leg.label === 'dflt' ? 'the default address' : leg.label === 'env' ? 'DOCKERSNAP_REMOTE' : '--remote'}`, (t) => scenario(t, leg, transcript));
    transcripts.push(transcript);
  }
  for (let i = 1; i < transcripts.length; i += 1) t.same(transcripts[i], transcripts[0], `${legs[i]!.label} gives the same results as ${legs[0]!.label}`);

  const health = JSON.parse((await runCli(['health', '-o', 'json'], { ...base, DOCKERSNAP_REMOTE: daemon.url })).stdout);
  t.match(health, { status: 'ok', instances: Number });
});
