import { DsError } from '../errors.js';

export interface GraphNode {
  id: string;
  /** Plugin ids this one must come after. */
  deps: string[];
}

export interface GraphResult {
  /** Set-up order (dependencies first), stable for equal inputs. */
  order: string[];
  /** Plugins that cannot be ordered (cycles), with the full chain in the message. */
  errors: Map<string, DsError>;
}

function findCycle(remaining: Map<string, GraphNode>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of remaining.get(id)?.deps ?? []) {
      if (!remaining.has(dep)) continue;
      if (state.get(dep) === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
      if (!state.has(dep)) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of remaining.keys()) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return undefined;
}

/** The same cycle always reads the same: rotated to start at its smallest id. */
function canonical(cycle: string[]): string[] {
  const ring = cycle.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]!);
  const rotated = [...ring.slice(start), ...ring.slice(0, start)];
  return [...rotated, rotated[0]!];
}

/**
 * Topological order (Kahn) of the plugin graph. Nodes in a cycle are reported with the
 * whole chain (`a → b → a`) and left out; the rest is still ordered.
 */
export function orderGraph(nodes: readonly GraphNode[]): GraphResult {
  const remaining = new Map(nodes.map((n) => [n.id, { id: n.id, deps: [...n.deps] }]));
  const order: string[] = [];
  const errors = new Map<string, DsError>();
  while (remaining.size > 0) {
    const ready = [...remaining.values()].filter((n) => n.deps.every((d) => !remaining.has(d))).map((n) => n.id);
    if (ready.length === 0) {
      const cycle = canonical(findCycle(remaining)!);
      const chain = cycle.join(' → ');
      for (const id of new Set(cycle)) {
        errors.set(id, new DsError('DS_ERR_PLUGIN_CYCLE', `plugin "${id}" is part of a dependency cycle: ${chain}; break it by removing one "after" or "requires" entry`, { details: { plugin: id, cycle } }));
        remaining.delete(id);
      }
      continue;
    }
    for (const id of ready) {
      order.push(id);
      remaining.delete(id);
    }
  }
  return { order, errors };
}

/**
 * Splits a topological order into levels: a node's level is one more than its deepest
 * dependency's, so the nodes of one level never depend on each other.
 */
export function graphLevels(order: readonly string[], deps: ReadonlyMap<string, readonly string[]>): string[][] {
  const level = new Map<string, number>();
  const levels: string[][] = [];
  for (const id of order) {
    const l = Math.max(-1, ...(deps.get(id) ?? []).map((d) => level.get(d) ?? -1)) + 1;
    level.set(id, l);
    (levels[l] ??= []).push(id);
  }
  return levels;
}
