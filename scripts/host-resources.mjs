// Lists host resources dockersnap tests can leave behind, so the test runner can fail on leaks.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function run(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

const PATTERN = /dockersnap|dstest|ds-|dst[0-9a-z]{4}/;

/** A sorted list of `kind: id` strings for everything that looks like ours. */
export function snapshotHostResources() {
  const items = [];
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    if (name && PATTERN.test(name)) items.push(`netns: ${name}`);
  }
  for (const line of run('ip', ['-o', 'link', 'show']).split('\n')) {
    const m = /^\d+: ([^:@]+)/.exec(line);
    if (m && /^(ve-|vt-)/.test(m[1])) items.push(`link: ${m[1]}`);
  }
  let mounts = '';
  try { mounts = readFileSync('/proc/mounts', 'utf8'); } catch { /* not linux */ }
  for (const line of mounts.split('\n')) {
    const target = line.split(' ')[1];
    if (target && PATTERN.test(target)) items.push(`mount: ${target}`);
  }
  for (const line of run('losetup', ['-a']).split('\n')) {
    if (PATTERN.test(line)) items.push(`loop: ${line.split(':')[0]}`);
  }
  for (const table of ['filter', 'nat']) {
    for (const line of run('iptables', ['-t', table, '-S']).split('\n')) {
      if (/dockersnap-/.test(line)) items.push(`iptables(${table}): ${line}`);
    }
  }
  for (const line of run('pgrep', ['-a', 'dockerd']).split('\n')) {
    if (line.trim()) items.push(`process: ${line.trim()}`);
  }
  for (const line of run('zpool', ['list', '-H', '-o', 'name']).split('\n')) {
    if (line && PATTERN.test(line)) items.push(`zpool: ${line}`);
  }
  return items.sort();
}
