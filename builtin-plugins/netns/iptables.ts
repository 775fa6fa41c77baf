import type { Exec } from '../../plugin-sdk/index.js';

/** Tables the plugin adds rules to (host side). */
export const TABLES = ['nat', 'filter'] as const;
export type Table = (typeof TABLES)[number];

/** One rule: its table and its spec as `iptables -S` prints it, minus the leading `-A`. */
export interface Rule {
  table: Table;
  /** `[chain, ...match and target args]`. */
  spec: string[];
}

/**
 * Splits one `iptables -S` line into arguments. iptables quotes values containing spaces
 * (`--comment "a b"`) and escapes inner quotes with a backslash.
 */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  }
  return out;
}

/** The value of `--comment` in an argument list, if any. */
export function commentOf(args: readonly string[]): string | undefined {
  const i = args.indexOf('--comment');
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * The rules of one `iptables -t <table> -S` listing whose comment is exactly `comment`.
 * Exact, not substring: `dockersnap-foo` never selects `dockersnap-foo-bar`'s rules.
 */
export function rulesWithComment(table: Table, listing: string, comment: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of listing.split('\n')) {
    const args = splitRuleLine(line.trim());
    if (args[0] !== '-A' || commentOf(args) !== comment) continue;
    rules.push({ table, spec: args.slice(1) });
  }
  return rules;
}

/** What setup adds for one instance (spec §3 steps 10–12). `uplink` is the host's outward interface. */
export function instanceRules(p: { network: string; hostVeth: string; uplink: string; comment: string }): Rule[] {
  const tag = ['-m', 'comment', '--comment', p.comment];
  return [
    { table: 'nat', spec: ['POSTROUTING', '-s', p.network, '-o', p.uplink, '-j', 'MASQUERADE', ...tag] },
    { table: 'filter', spec: ['FORWARD', '-i', p.hostVeth, '-o', p.uplink, '-j', 'ACCEPT', ...tag] },
    { table: 'filter', spec: ['FORWARD', '-i', p.uplink, '-o', p.hostVeth, '-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT', ...tag] },
  ];
}

/** `-w`: wait for the xtables lock instead of failing while another dockerd edits rules. */
const WAIT = ['-w', '5'];

/** Appends one rule. @throws DsError DS_ERR_HOST_TOOL */
export async function appendRule(exec: Exec, rule: Rule): Promise<void> {
  await exec('iptables', [...WAIT, '-t', rule.table, '-A', ...rule.spec]);
}

/** Lists every rule (all chains) of `table` tagged exactly with `comment`. */
export async function listTagged(exec: Exec, table: Table, comment: string): Promise<Rule[]> {
  const res = await exec('iptables', [...WAIT, '-t', table, '-S']);
  return rulesWithComment(table, res.stdout, comment);
}

/**
 * Deletes one rule by its spec. A rule that vanished meanwhile is not an error.
 * @returns an error text for a failure other than "already gone", else undefined.
 */
export async function deleteRule(exec: Exec, rule: Rule): Promise<string | undefined> {
  const res = await exec('iptables', [...WAIT, '-t', rule.table, '-D', ...rule.spec], { reject: false });
  if (res.exitCode === 0 || /does a matching rule exist|Bad rule|No chain/i.test(res.stderr)) return undefined;
  return `iptables -t ${rule.table} -D ${rule.spec.join(' ')}: ${res.stderr.trim() || `exit ${res.exitCode}`}`;
}
