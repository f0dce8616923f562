/** @module actorTree: arranges actors as the page shows them: coordinator, then agents (by lineage), then tasks under the agent running them. */
import type { ActorState } from '../replay/Replay.js';

export interface TreeActor {
  address: string;
  kind: string;
  status: string;
  parent: string;
  context: unknown;
}

/**
 * Gives every actor its parent in the supervision tree as the page draws it.
 * @example actorTree(replay.actors()).find((a) => a.address === 'task:t1')?.parent // 'agent:a'
 */
export function actorTree(actors: ActorState[]): TreeActor[] {
  return actors.map((a) => {
    const c = ((a.snapshot as { context?: Record<string, unknown> }).context ?? {}) as Record<string, unknown>;
    let parent = '';
    if (a.kind === 'agent') parent = typeof c.parentId === 'string' ? `agent:${c.parentId}` : 'coordinator';
    else if (a.kind === 'remote') parent = `agent:${String(c.agentId)}`;
    else if (a.kind === 'task') parent = typeof c.assignedTo === 'string' && c.assignedTo !== '' ? `agent:${c.assignedTo}` : 'coordinator';
    return { address: a.address, kind: a.kind, status: a.status, parent, context: c };
  });
}
