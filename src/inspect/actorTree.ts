/** @module actorTree: arranges actors as the page shows them: coordinator, then agents (by lineage), then tasks under the agent running them; any other kind under the parent its kind names. */
import { kinds } from '../kernel/kinds/index.js';
import type { ActorState } from '../replay/Replay.js';

export interface TreeActor {
  address: string;
  kind: string;
  status: string;
  parent: string;
  context: unknown;
}

/** The kind part of an address (`task:t1` -> `task`; `coordinator` -> `coordinator`). */
export const kindOfAddress = (address: string): string => {
  const colon = address.indexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
};

/**
 * An actor's parent in the tree the page draws: a task sits under the agent that ran it, any other
 * kind under what its kind module names (`parentOf`), an unknown kind under the coordinator.
 * @example parentInTree({ address: 'task:t1', kind: 'task', status: 'running', snapshot: { context: { assignedTo: 'a' } } }) // 'agent:a'
 */
export function parentInTree(a: Pick<ActorState, 'address' | 'kind' | 'snapshot'>): string {
  if (a.address === 'coordinator') return '';
  const c = ((a.snapshot as { context?: Record<string, unknown> } | undefined)?.context ?? {}) as Record<string, unknown>;
  if (a.kind === 'task' && typeof c.assignedTo === 'string' && c.assignedTo !== '') return `agent:${c.assignedTo}`;
  const kind = (kinds as Record<string, (typeof kinds)[keyof typeof kinds] | undefined>)[a.kind];
  if (kind) {
    try {
      return kind.parentOf(c);
    } catch {
      // A context this version cannot read (an older shape): the actor still belongs in the tree.
    }
  }
  return 'coordinator';
}

/**
 * Gives every actor its parent in the supervision tree as the page draws it.
 * @example actorTree(replay.actors()).find((a) => a.address === 'task:t1')?.parent // 'agent:a'
 */
export function actorTree(actors: ActorState[]): TreeActor[] {
  return actors.map((a) => ({
    address: a.address,
    kind: a.kind,
    status: a.status,
    parent: parentInTree(a),
    context: (a.snapshot as { context?: unknown }).context ?? {},
  }));
}
