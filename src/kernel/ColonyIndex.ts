/**
 * @module ColonyIndex: what the kernel keeps beside each colony's worker actors: the queue of
 * workers waiting for a slot (spawn order), the running ones that hold a slot, the unfinished ones
 * per trigger, and the finished ones in retention order. Derived data: rebuilt from the worker
 * snapshots on recovery, never stored (the colony's XState context would copy it on every worker).
 */
import type { ColonyContext } from '../../machines/colony.js';
import { isFinishedWorkerStatus, type WorkerContext } from '../../machines/worker.js';
import { Heap } from './Heap.js';

export class ColonyState {
  max = 8;
  stopped = false;
  retention: { max: number; ttlMs?: number } = { max: Number.POSITIVE_INFINITY };
  /** Queued workers, first spawned first; entries of workers no longer queued are skipped when popped. */
  readonly queue = new Heap<{ id: string; order: number }>((a, b) => a.order < b.order);
  readonly queued = new Set<string>();
  /** Workers holding a slot of `max` (the overseer holds none). */
  readonly running = new Set<string>();
  /** Every worker not finished yet (the overseer too), with its spawn order. */
  readonly unfinished = new Map<string, number>();
  /** Finished workers still kept, oldest first. */
  readonly finished = new Heap<{ id: string; finishedAt: number; order: number }>(
    (a, b) => a.finishedAt < b.finishedAt || (a.finishedAt === b.finishedAt && a.order < b.order),
  );
  /** Unfinished workers per trigger (for `skipWhileBusy`). */
  readonly busy = new Map<string, number>();

  /** Unfinished workers in spawn order (deterministic whatever order they were restored in). */
  unfinishedInOrder(): string[] {
    return [...this.unfinished].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }

  /** Indexes a worker as it is now (created or restored). */
  add(c: WorkerContext, status: string): void {
    const { id, order, triggerId, overseer } = c.spec;
    if (isFinishedWorkerStatus(status)) {
      this.finished.push({ id, finishedAt: c.finishedAt ?? c.updatedAt, order });
      return;
    }
    this.unfinished.set(id, order);
    if (triggerId !== undefined) this.busy.set(triggerId, (this.busy.get(triggerId) ?? 0) + 1);
    if (status === 'queued' && !overseer) {
      this.queue.push({ id, order });
      this.queued.add(id);
    } else if (status === 'running' && !overseer) this.running.add(id);
  }

  /** A worker reached its final state. */
  finish(c: WorkerContext): void {
    const { id, order, triggerId } = c.spec;
    this.queued.delete(id);
    this.running.delete(id);
    this.unfinished.delete(id);
    if (triggerId !== undefined) {
      const n = (this.busy.get(triggerId) ?? 1) - 1;
      if (n <= 0) this.busy.delete(triggerId);
      else this.busy.set(triggerId, n);
    }
    this.finished.push({ id, finishedAt: c.finishedAt ?? c.updatedAt, order });
  }
}

export class ColonyIndex {
  private readonly byColony = new Map<string, ColonyState>();

  get(colonyId: string): ColonyState {
    let st = this.byColony.get(colonyId);
    if (!st) this.byColony.set(colonyId, (st = new ColonyState()));
    return st;
  }

  /** Takes a colony's limits from its context (created or restored). */
  configure(c: ColonyContext, status: string): void {
    const st = this.get(c.spec.id);
    st.max = c.spec.maxConcurrentWorkers;
    st.retention = c.spec.retention;
    st.stopped = status === 'stopped';
  }
}
