/** @module summaryAt: the inspector's overview of one point (counts per kind and status, agents' load and success rate, the head of the queue) without listing every actor. */
import { addressId } from '../../machines/address.js';
import type { Replay } from '../replay/Replay.js';
import type { ActorDirectory } from './ActorDirectory.js';
import type { AgentSummary, Summary } from './inspectorApi.js';

const maxAgents = 100;

/**
 * Builds the overview from a directory at the replay's current position (the caller seeks first).
 * @example summaryAt(replay, directory).counts.kinds.task?.byStatus.failed
 */
export function summaryAt(replay: Replay, directory: ActorDirectory): Summary {
  const agents = directory.page({ kind: 'agent', limit: maxAgents }).items.map((e): AgentSummary => {
    const c = ((replay.actor(e.address)?.snapshot as { context?: Record<string, unknown> } | undefined)?.context ?? {}) as Record<string, unknown>;
    const succeeded = Number(c.succeeded ?? 0);
    const failed = Number(c.failed ?? 0);
    return {
      id: addressId(e.address),
      status: e.status,
      load: Number(c.load ?? 0),
      succeeded,
      failed,
      successRate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
    };
  });
  // Active tasks are listed oldest first, so the first pending ones are the head of the queue.
  const pending = directory.page({ kind: 'task', status: 'pending', limit: 20 });
  const at = directory.seq > 0 ? ([...replay.inputs(directory.seq - 1, directory.seq)][0]?.at ?? 0) : 0;
  return {
    seq: directory.seq,
    lastSeq: replay.lastSeq,
    at,
    counts: directory.counts(),
    agents,
    queue: { head: pending.items.map((e) => addressId(e.address)), length: pending.total },
  };
}
