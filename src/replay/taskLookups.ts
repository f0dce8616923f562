/** @module taskLookups: the store's task lookups (ids by status, finished tasks a prune would delete) over any set of stored actors, for replay's stores. */
import { addressId, parseAddress } from '../../machines/address.js';
import type { StoredActor } from '../store/HiveStore.js';

/** A finished task as the store's prune walk yields it. */
export interface FinishedTask {
  id: string;
  order: number;
  status: string;
  actor: StoredActor;
}

/**
 * The tasks among `actors` with a `terminal` status that finished before `before`, in the order the
 * LMDB store yields them: by status (in the given order), then by post order.
 * @example [...finishedTasksBefore(store.allActors(), cutoff, ['completed', 'failed'])]
 */
export function* finishedTasksBefore(actors: Iterable<[string, StoredActor]>, before: number, terminal: readonly string[]): Generator<FinishedTask> {
  const found: FinishedTask[] = [];
  for (const [address, actor] of actors) {
    const finishedAt = (actor.snapshot as { context?: { finishedAt?: number } }).context?.finishedAt;
    if (actor.kind === 'task' && terminal.includes(actor.status) && finishedAt !== undefined && finishedAt < before) {
      found.push({ id: parseAddress(address)!.id, order: actor.order, status: actor.status, actor });
    }
  }
  found.sort((a, b) => terminal.indexOf(a.status) - terminal.indexOf(b.status) || a.order - b.order);
  yield* found;
}

/**
 * Task ids among `actors`, with a `status` when given, newest first (by post order).
 * @example taskIdsOf(store.allActors(), 'pending')
 */
export function taskIdsOf(actors: Iterable<[string, StoredActor]>, status?: string): Array<{ id: string; order: number }> {
  const out: Array<{ id: string; order: number }> = [];
  for (const [address, actor] of actors) {
    if (actor.kind === 'task' && (status === undefined || actor.status === status)) out.push({ id: addressId(address), order: actor.order });
  }
  return out.sort((a, b) => b.order - a.order);
}
