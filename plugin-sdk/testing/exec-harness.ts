import { spawn } from 'node:child_process';
import { CONTRACT_VERSION, DEFAULT_TIMEOUTS_MS, EXEC_COMMANDS, INPUT_COMMANDS, PROGRESS_COMMANDS, type ExecCommand, type PluginInput } from '../exec-plugin/contract.js';

/**
 * A conformance harness for exec workload plugins (contract v1): drives one executable
 * through the eight commands, as the daemon would, and checks every output against the
 * contract — exit codes, JSON shapes, NDJSON progress lines, stderr log lines. It never
 * throws for a plugin's misbehaviour: everything it finds is a problem in the report.
 */

export interface ExecHarnessOptions {
  /** Merged over a sample PluginInput (instance `harness-<pid>`). */
  input?: Partial<PluginInput>;
  /** The plugin's environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Per-command deadlines in ms (default the contract's, §4). */
  timeoutsMs?: Partial<Record<ExecCommand, number>>;
  /** Which commands, in order (default all eight: schema, init, validate, deploy, access, describe, health, teardown). */
  commands?: readonly ExecCommand[];
}

export interface CommandReport {
  command: ExecCommand;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The decoded stdout document (JSON commands). */
  document?: unknown;
  /** The progress events (deploy/teardown). */
  events?: Array<Record<string, unknown>>;
  /** stderr lines that are valid §9 LogEntries, and plain lines (allowed, logged raw by the daemon). */
  logs: { structured: Array<Record<string, unknown>>; raw: string[] };
  problems: string[];
}

export interface ExecHarnessReport {
  path: string;
  commands: Partial<Record<ExecCommand, CommandReport>>;
  /** Every problem, prefixed with its command. */
  problems: string[];
  ok: boolean;
}

/** The sample stdin document. */
export function harnessInput(overrides: Partial<PluginInput> = {}): PluginInput {
  const name = `harness-${process.pid}`;
  return {
    contract_version: CONTRACT_VERSION,
    instance_name: name,
    instance: { name, socket: `/run/dockersnap/${name}.sock`, subnet: '10.99.0.0/16', data_root: `/dockersnap/instances/${name}`, host_veth_ip: '10.99.0.1', ns_veth_ip: '10.99.0.2', netns_name: `ds-${name}`, metallb_ip: '10.99.10.10', created_at: '2026-04-30T10:00:00.123456789Z' },
    forwarded_ports: [{ label: 'kubernetes-api', container_port: 6443, host_port: 34567, protocol: 'tcp' }],
    ...overrides,
  };
}

interface Raw {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs one command in its own process group; a deadline kills the group. */
function runCommand(path: string, command: ExecCommand, stdin: string | undefined, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Raw> {
  return new Promise((resolve) => {
    const child = spawn(path, [command], { detached: true, env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const done = (exitCode: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') + (spawnError ? `\n[harness] cannot start: ${spawnError.message}` : '') });
    };
    child.on('error', (e) => child.pid === undefined && done(null, null, e));
    child.on('close', (code, signal) => done(code, signal));
    if (stdin !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(stdin);
    }
  });
}

type Check = (v: unknown) => boolean;
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStrList: Check = (v) => Array.isArray(v) && v.every(isStr);

/** Problems of an object's fields: `[field, check, required, what]`. */
function fields(o: Record<string, unknown>, where: string, spec: Array<[string, Check, boolean, string]>): string[] {
  const out: string[] = [];
  for (const [k, check, required, what] of spec) {
    if (o[k] === undefined) {
      if (required) out.push(`${where}: missing "${k}"`);
    } else if (!check(o[k])) out.push(`${where}: "${k}" must be ${what}, got ${JSON.stringify(o[k])}`);
  }
  return out;
}

function listOf(o: Record<string, unknown>, key: string, where: string, each: (e: Record<string, unknown>, at: string) => string[]): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return [`${where}: "${key}" must be an array`];
  return v.flatMap((e, i) => (isObj(e) ? each(e, `${where}.${key}[${i}]`) : [`${where}.${key}[${i}] must be an object`]));
}

const CONFIG_TYPES = ['string', 'int', 'bool', 'string-list', 'path'];
const DEFAULT_OK: Record<string, Check> = { string: isStr, path: isStr, int: (v) => typeof v === 'number', bool: isBool, 'string-list': isStrList };

function schemaProblems(d: Record<string, unknown>): string[] {
  const p = fields(d, 'schema', [
    ['contract_version', isStr, true, 'a string'],
    ['supported_contract_versions', isStrList, true, 'a list of strings'],
    ['plugin_name', isStr, true, 'a string'],
    ['plugin_version', isStr, true, 'a string'],
    ['description', isStr, false, 'a string'],
  ]);
  if (isStrList(d['supported_contract_versions']) && !(d['supported_contract_versions'] as string[]).includes(CONTRACT_VERSION)) p.push('schema: supported_contract_versions does not include "1": the daemon would disable the plugin');
  const names = new Set<string>();
  p.push(
    ...listOf(d, 'config_options', 'schema', (o, at) => {
      const q = fields(o, at, [['name', (v) => isStr(v) && v !== '', true, 'a non-empty string'], ['type', (v) => isStr(v) && CONFIG_TYPES.includes(v as string), true, `one of ${CONFIG_TYPES.join(', ')}`], ['required', isBool, false, 'a boolean'], ['description', isStr, false, 'a string']]);
      if (isStr(o['name']) && names.has(o['name'] as string)) q.push(`${at}: duplicate option "${o['name']}"`);
      names.add(String(o['name']));
      const ok = DEFAULT_OK[String(o['type'])];
      if (ok && o['default'] !== undefined && o['default'] !== null && !ok(o['default'])) q.push(`${at}: default ${JSON.stringify(o['default'])} does not match type ${o['type']}`);
      return q;
    }),
  );
  return p;
}

function validateProblems(d: Record<string, unknown>, exitCode: number | null): string[] {
  const p = fields(d, 'validate', [['contract_version', isStr, true, 'a string'], ['valid', isBool, true, 'a boolean'], ['errors', isStrList, false, 'a list of strings'], ['warnings', isStrList, false, 'a list of strings']]);
  if (d['valid'] === false && !(isStrList(d['errors']) && (d['errors'] as string[]).length > 0)) p.push('validate: valid:false without errors: the user learns nothing');
  if (exitCode !== 0 && d['valid'] !== false) p.push(`validate: exit status ${exitCode} without valid:false`);
  return p;
}

function accessProblems(d: Record<string, unknown>): string[] {
  const p = fields(d, 'access', [['contract_version', isStr, true, 'a string'], ['env', (v) => isObj(v) && Object.values(v).every(isStr), false, 'an object of strings']]);
  for (const k of ['DOCKER_HOST', 'DOCKERSNAP_INSTANCE']) if (isObj(d['env']) && k in d['env']) p.push(`access: env.${k} is the daemon's to set; plugins should not emit it`);
  p.push(...listOf(d, 'files', 'access', (f, at) => fields(f, at, [['name', (v) => isStr(v) && v !== '', true, 'a non-empty string'], ['content', isStr, true, 'a string'], ['mode', (v) => isStr(v) && /^([0-7]{3,4})?$/.test(v as string), false, 'an octal string like "0600"']])));
  p.push(...listOf(d, 'endpoints', 'access', (e, at) => fields(e, at, [['name', isStr, true, 'a string'], ['scheme', isStr, false, 'a string'], ['host_port_label', isStr, false, 'a string'], ['insecure', isBool, false, 'a boolean'], ['description', isStr, false, 'a string'], ['url', isStr, false, 'a string']])));
  return p;
}

function describeProblems(d: Record<string, unknown>): string[] {
  const p = fields(d, 'describe', [['contract_version', isStr, true, 'a string'], ['workload_type', isStr, false, 'a string'], ['status', isStr, false, 'a string'], ['config', isObj, false, 'an object'], ['details', isObj, false, 'an object']]);
  p.push(...listOf(d, 'ports', 'describe', (o, at) => fields(o, at, [['label', isStr, true, 'a string'], ['container_port', (v) => Number.isInteger(v), true, 'an integer'], ['protocol', isStr, true, 'a string']])));
  return p;
}

function healthProblems(d: Record<string, unknown>): string[] {
  const p = fields(d, 'health', [['contract_version', isStr, true, 'a string'], ['healthy', isBool, true, 'a boolean']]);
  p.push(...listOf(d, 'checks', 'health', (c, at) => fields(c, at, [['name', isStr, true, 'a string'], ['ok', isBool, true, 'a boolean'], ['message', isStr, false, 'a string']])));
  return p;
}

const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'debug', 'warn', 'warning', 'WARNING', 'error'];

function logProblems(stderr: string, logs: CommandReport['logs'], command: ExecCommand): string[] {
  const p: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (!line.startsWith('{')) {
      logs.raw.push(line);
      continue;
    }
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      p.push(`${command}: stderr line is not JSON: ${line.slice(0, 120)}`);
      continue;
    }
    if (!isObj(e)) {
      p.push(`${command}: stderr line is not a JSON object`);
      continue;
    }
    logs.structured.push(e);
    p.push(...fields(e, `${command}: log line`, [['ts', (v) => isStr(v) && !Number.isNaN(Date.parse(v as string)), true, 'an RFC 3339 timestamp'], ['level', (v) => LEVELS.includes(v as string), true, 'DEBUG, INFO, WARN or ERROR'], ['msg', (v) => isStr(v) && v !== '', true, 'a non-empty string'], ['plugin', isStr, false, 'a string'], ['instance', isStr, false, 'a string'], ['command', isStr, false, 'a string'], ['attrs', (v) => isObj(v) && Object.values(v).every((x) => !isObj(x)), false, 'a flat object (group.key)']]));
  }
  return p;
}

function progressProblems(r: CommandReport): string[] {
  const p: string[] = [];
  r.events = [];
  let envelope = false;
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    if (Buffer.byteLength(line) > 1024 * 1024) {
      p.push(`${r.command}: a stdout line over 1 MiB (the daemon skips it)`);
      continue;
    }
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      p.push(`${r.command}: stdout line is not JSON: ${line.slice(0, 120)}`);
      continue;
    }
    if (isObj(e) && typeof e['error'] === 'string' && !('step' in e)) {
      envelope = true;
      continue;
    }
    if (!isObj(e)) {
      p.push(`${r.command}: stdout line is not a JSON object`);
      continue;
    }
    r.events.push(e);
    p.push(...fields(e, `${r.command}: event`, [['step', (v) => isStr(v) && v !== '', true, 'a non-empty string'], ['status', (v) => ['running', 'done', 'error'].includes(v as string), true, 'running, done or error'], ['message', isStr, false, 'a string']]));
  }
  const last = r.events[r.events.length - 1];
  if (r.exitCode === 0) {
    if (r.events.some((e) => e['status'] === 'error')) p.push(`${r.command}: an error event on a path that ends in success (API clients would report failure)`);
    if (!last || last['step'] !== 'complete' || last['status'] !== 'done') p.push(`${r.command}: success should end with {"step":"complete","status":"done"}`);
  } else if (!envelope && !r.events.some((e) => e['status'] === 'error') && r.stderr.trim() === '') {
    p.push(`${r.command}: fails without an error event, envelope or stderr text`);
  }
  return p;
}

function documentProblems(r: CommandReport): string[] {
  let d: unknown;
  try {
    d = JSON.parse(r.stdout);
  } catch {
    return [`${r.command}: stdout is not one JSON document: ${JSON.stringify(r.stdout.slice(0, 120))}`];
  }
  r.document = d;
  if (!isObj(d)) return [`${r.command}: stdout must be a JSON object`];
  if (r.exitCode !== 0 && r.command !== 'validate' && r.command !== 'health') {
    return typeof d['error'] === 'string' && d['error'] !== '' ? [] : [`${r.command}: fails without an error envelope on stdout`];
  }
  switch (r.command) {
    case 'schema':
      return schemaProblems(d);
    case 'validate':
      return validateProblems(d, r.exitCode);
    case 'access':
      return accessProblems(d);
    case 'describe':
      return describeProblems(d);
    default:
      return healthProblems(d);
  }
}

async function check(path: string, command: ExecCommand, options: ExecHarnessOptions, input: PluginInput): Promise<CommandReport> {
  const stdin = INPUT_COMMANDS.includes(command) ? JSON.stringify({ ...input, command }) : undefined;
  const raw = await runCommand(path, command, stdin, options.env ?? process.env, options.timeoutsMs?.[command] ?? DEFAULT_TIMEOUTS_MS[command]);
  const r: CommandReport = { command, ...raw, logs: { structured: [], raw: [] }, problems: [] };
  if (raw.timedOut) r.problems.push(`${command}: did not finish within ${options.timeoutsMs?.[command] ?? DEFAULT_TIMEOUTS_MS[command]} ms`);
  else if (raw.exitCode !== 0 && !['validate', 'health'].includes(command)) r.problems.push(`${command}: exit status ${raw.exitCode ?? `signal ${raw.signal}`}: ${raw.stderr.trim().slice(0, 200)}`);
  r.problems.push(...logProblems(raw.stderr, r.logs, command));
  if (command === 'init' || raw.timedOut) return r;
  r.problems.push(...(PROGRESS_COMMANDS.includes(command) ? progressProblems(r) : documentProblems(r)));
  if (command === 'health' && raw.exitCode !== 0) r.problems.push(`health: exit status ${raw.exitCode}: the daemon would discard the body and report a plugin fault`);
  return r;
}

/**
 * Drives a plugin executable through the contract's commands, in order, and checks every
 * output. Commands run one at a time; each in its own process group, killed on its deadline.
 * @returns the report; `ok` is true when no problem was found.
 */
export async function checkExecPlugin(path: string, options: ExecHarnessOptions = {}): Promise<ExecHarnessReport> {
  const input = harnessInput(options.input);
  const report: ExecHarnessReport = { path, commands: {}, problems: [], ok: true };
  for (const command of options.commands ?? EXEC_COMMANDS) {
    const r = await check(path, command, options, input);
    report.commands[command] = r;
    report.problems.push(...r.problems);
  }
  report.ok = report.problems.length === 0;
  return report;
}

/** The part of tap's `t` the assertion needs. */
export interface HarnessAssert {
  same(found: any, wanted: any, message: string): unknown;
}

/** One assertion: the report has no problems (a failure lists them all). */
export function assertExecPluginConforms(t: HarnessAssert, report: ExecHarnessReport, message = `${report.path} conforms to exec contract v1`): void {
  t.same(report.problems, [], message);
}
