/** @module statechartGraph: reads XState's `machine.toJSON()` into states (with their nesting) and transitions to lay out, and a state value into the active states. */
import type { MachineJson } from '../inspectorApi.js';

export interface ChartNode {
  /** XState's state id (`task.running`). */
  id: string;
  /** The state's key (`running`). */
  key: string;
  /** The enclosing state's id; null for a top-level state. */
  parent: string | null;
  type: string;
  /** The initial state of its parent. */
  initial: boolean;
  children: string[];
}

export interface ChartEdge {
  id: string;
  source: string;
  target: string;
  /** The event types that take this path (`always` for eventless transitions), one label line each. */
  events: string[];
  /** Guard names of the transitions merged into this edge. */
  guards: string[];
}

export interface ChartGraph {
  root: string;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

const guardName = (g: unknown): string | undefined =>
  typeof g === 'string' ? g : g && typeof g === 'object' && typeof (g as { type?: unknown }).type === 'string' ? (g as { type: string }).type : undefined;

const initialTarget = (m: MachineJson): string | undefined => {
  const t = typeof m.initial === 'object' ? m.initial?.target?.[0] : undefined;
  return typeof t === 'string' ? t.replace(/^#/, '') : typeof m.initial === 'string' ? `${m.id}.${m.initial}` : undefined;
};

/**
 * The states and transitions of a machine as a graph: one edge per source and target, labelled with
 * every event that takes it (fewer, shorter edges lay out smaller and never stack labels on one path);
 * targetless transitions (actions only) are left out.
 * @example chartGraph(info.machines.task).nodes.map((n) => n.key) // ['pending', 'assigned', 'running', ...]
 */
export function chartGraph(machine: MachineJson): ChartGraph {
  const nodes: ChartNode[] = [];
  const edges = new Map<string, ChartEdge>();
  const walk = (m: MachineJson, parent: string | null) => {
    const initial = initialTarget(m);
    for (const child of Object.values(m.states ?? {})) {
      const node: ChartNode = {
        id: child.id,
        key: child.key,
        parent,
        type: child.type,
        initial: child.id === initial,
        children: Object.values(child.states ?? {}).map((c) => c.id),
      };
      nodes.push(node);
      const transitions = child.transitions ?? Object.values(child.on ?? {}).flat();
      for (const t of transitions) {
        for (const raw of t.target ?? []) {
          if (typeof raw !== 'string') continue;
          const target = raw.replace(/^#/, '');
          const event = t.eventType ? t.eventType : 'always';
          const id = `${child.id}->${target}`;
          const edge = edges.get(id) ?? { id, source: child.id, target, events: [], guards: [] };
          if (!edge.events.includes(event)) edge.events.push(event);
          const g = guardName(t.guard);
          if (g && !edge.guards.includes(g)) edge.guards.push(g);
          edges.set(id, edge);
        }
      }
      walk(child, child.id);
    }
  };
  walk(machine, null);
  const ids = new Set(nodes.map((n) => n.id));
  return { root: machine.id, nodes, edges: [...edges.values()].filter((e) => ids.has(e.source) && ids.has(e.target)) };
}

/**
 * The ids of the states a state value is in (a nested value is in its parent too).
 * @example activeStateIds('task', 'running') // Set { 'task.running' }
 */
export function activeStateIds(root: string, value: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (prefix: string, v: unknown) => {
    if (typeof v === 'string') out.add(`${prefix}.${v}`);
    else if (v && typeof v === 'object') {
      for (const [k, sub] of Object.entries(v as Record<string, unknown>)) {
        out.add(`${prefix}.${k}`);
        walk(`${prefix}.${k}`, sub);
      }
    }
  };
  walk(root, value);
  return out;
}
