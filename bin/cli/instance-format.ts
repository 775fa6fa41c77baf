import type { AccessBundle, Instance, InstancePorts } from '../../plugin-sdk/client/index.js';
import { ACCESS_DIR_TOKEN } from './access-files.js';
import { formatTable } from './table.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';
const STAMP = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?/;

/**
 * `YYYY-MM-DD HH:MM` (or with `:SS`) of an RFC 3339 timestamp in its own offset — the digits as
 * written, no conversion to local time (state-and-config §3.8). Unparsable text is shown as is.
 */
export function shortTime(ts: string, seconds = false): string {
  const m = STAMP.exec(ts);
  if (!m) return ts;
  return `${m[1]} ${m[2]}${seconds ? (m[3] ?? ':00') : ''}`;
}

/** The `list` table (oldest first) or `No instances found.` */
export function formatInstanceList(instances: readonly Instance[]): string {
  if (instances.length === 0) return 'No instances found.';
  const sorted = [...instances].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.name.localeCompare(b.name));
  const rows = sorted.map((i) => [i.name, i.status, shortTime(i.created_at), i.subnet, String((i.snapshots ?? []).length), i.clone_of ?? '']);
  return formatTable(['NAME', 'STATUS', 'CREATED', 'SUBNET', 'SNAPSHOTS', 'CLONE OF'], rows);
}

/** The `status` text (state-and-config §3.8), plus our `Error:` line for an instance in error. */
export function formatInstanceStatus(i: Instance): string {
  const lines = [
    `Instance:    ${i.name}`,
    `Status:      ${i.status}`,
    ...(i.error_reason ? [`Error:       ${i.error_reason}`] : []),
    `Dataset:     ${i.dataset}`,
    `Subnet:      ${i.subnet}`,
    `MetalLB IP:  ${i.metallb_ip}`,
    `Socket:      ${i.socket}`,
    `Created:     ${shortTime(i.created_at, true)}`,
  ];
  if (i.clone_of) lines.push(`Clone of:    ${i.clone_of}`);
  const snaps = i.snapshots ?? [];
  if (snaps.length > 0) {
    lines.push('Snapshots:');
    for (const s of snaps) {
      const when = s.created_at && s.created_at !== ZERO_TIME ? ` (${shortTime(s.created_at)})` : '';
      const tags = Object.entries(s.tags ?? {}).map(([k, v]) => ` [${k}=${v}]`).join('');
      lines.push(`  - ${s.label}${when}${tags}`);
    }
  }
  return lines.join('\n');
}

/** What `create` prints after its progress lines (state-and-config §3.3). */
export function formatCreated(i: Instance): string {
  const lines = [`Instance "${i.name}" created successfully.`, `  Dataset:  ${i.dataset}`, `  Subnet:   ${i.subnet}`, `  Socket:   ${i.socket}`];
  if (i.workload_plugin) lines.push(`  Workload: ${i.workload_plugin}`);
  return lines.join('\n');
}

/** The `ports` table, or a line saying there are none. */
export function formatPorts(p: InstancePorts): string {
  const ports = p.ports ?? [];
  if (ports.length === 0) return `No ports forwarded for instance "${p.instance}".`;
  const rows = [...ports]
    .sort((a, b) => a.host_port - b.host_port)
    .map((m) => [String(m.host_port), String(m.container_port), m.in_container_port ? String(m.in_container_port) : '-', m.protocol, m.description, m.requested_host_port ? `wanted ${m.requested_host_port}` : '']);
  return formatTable(['HOST PORT', 'NS PORT', 'CONTAINER PORT', 'PROTO', 'LABEL', 'NOTE'], rows);
}

/** The `access` text summary (state-and-config §3.6). */
export function formatAccess(name: string, bundle: AccessBundle): string {
  const lines = [`Instance: ${name}`];
  const env = Object.entries(bundle.env ?? {});
  if (env.length > 0) lines.push('Env:', ...env.map(([k, v]) => `  ${k}=${v}`));
  const files = bundle.files ?? [];
  if (files.length > 0) {
    lines.push('Files:');
    for (const f of files) lines.push(`  ${f.name.padEnd(20)} mode=${f.mode || '0600'}  size=${Buffer.byteLength(f.content ?? '')} bytes`);
    lines.push('  (use --file <name> to print a single file\'s content)');
  }
  const endpoints = bundle.endpoints ?? [];
  if (endpoints.length > 0) {
    lines.push('Endpoints:');
    for (const e of endpoints) lines.push(`  ${endpointLine(e, true)}`);
  }
  return lines.join('\n');
}

/** `name → url  (insecure)  # description` (URL, insecure and description only when set). */
export function endpointLine(e: { name?: string; url?: string; insecure?: boolean; description?: string }, withDescription: boolean): string {
  let line = e.name ?? '';
  if (e.url) line += ` → ${e.url}`;
  if (e.insecure) line += withDescription ? '  (insecure)' : ' (insecure)';
  if (withDescription && e.description) line += `  # ${e.description}`;
  return line;
}

/** `access --file`: the content with `${ACCESS_DIR}` removed, ending in a newline. */
export function fileForPrinting(content: string): string {
  const text = content.split(ACCESS_DIR_TOKEN).join('');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** 2-space JSON with object keys sorted (the `workload` commands' output). */
export function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sort(x)])) : v;
  return JSON.stringify(sort(value), null, 2);
}
