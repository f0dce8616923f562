/**
 * @module colonyScheduler: starts a colony's queued workers while it has free slots, and prunes its
 * finished workers past their retention. Deterministic: runs while an input is applied, reads only
 * the kernel's state and the input's time.
 */
import { colonyAddress, workerAddress, workerKey } from '../../machines/address.js';
import { retentionTimerId } from '../../machines/colony.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Starts queued workers, first spawned first, while fewer than `maxConcurrentWorkers` run.
 * @example startQueuedWorkers(core, 'c1') // after a worker of c1 finished
 */
export function startQueuedWorkers(core: KernelCore, colonyId: string): void {
  const st = core.colonies.get(colonyId);
  if (st.stopped) return;
  while (st.running.size < st.max) {
    const top = st.queue.pop();
    if (!top) return;
    if (!st.queued.has(top.id)) continue; // stopped while it waited
    st.queued.delete(top.id);
    // Counted now, not when the worker handles the message: the loop must not over-start.
    st.running.add(top.id);
    core.deliver(workerAddress(colonyId, top.id), { type: 'hive.worker.start', at: core.at }, colonyAddress(colonyId));
  }
}

/**
 * Deletes the oldest finished workers beyond `retention.max` and those older than
 * `retention.ttlMs`, and keeps the retention timer armed for the next one to expire.
 * @example pruneFinishedWorkers(core, 'c1')
 */
export function pruneFinishedWorkers(core: KernelCore, colonyId: string): void {
  const st = core.colonies.get(colonyId);
  const { max, ttlMs } = st.retention;
  while (st.finished.size > max) removeWorker(core, colonyId, st.finished.pop()!.id);
  if (ttlMs === undefined) return;
  for (let top = st.finished.peek(); top && top.finishedAt + ttlMs <= core.at; top = st.finished.peek()) removeWorker(core, colonyId, st.finished.pop()!.id);
  const next = st.finished.peek();
  const timerId = retentionTimerId(colonyId);
  const due = next === undefined ? undefined : next.finishedAt + ttlMs;
  if (core.timers.get(timerId)?.due === due) return;
  if (due === undefined) core.timers.clear(timerId);
  else core.setTimer({ timerId, due, target: colonyAddress(colonyId), event: { type: 'hive.colony.retention' } });
}

/** A pruned worker leaves memory; the next checkpoint deletes it from the store. */
function removeWorker(core: KernelCore, colonyId: string, workerId: string): void {
  const address = workerAddress(colonyId, workerId);
  core.actors.get('worker')!.delete(workerKey(colonyId, workerId));
  core.dirty.delete(address);
  core.removed.add(address);
}
