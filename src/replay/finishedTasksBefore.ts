/** @module finishedTasksBefore: the finished tasks a prune would delete, from any set of stored actors (replay's stores). */
import { parseAddress } from '../../machines/address.js';
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
