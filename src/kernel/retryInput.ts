/**
 * @module retryInput: applies `task.retry` (a manual retry). A finished task may have left memory,
 * so it is read back from the store first; its dependencies are looked at again, because the task
 * may have failed on one that has been retried since.
 */
import { taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { statusOf } from './ActorKind.js';
import type { InputHandler } from './applyInput.js';

/** Statuses a manual retry takes back to `pending`. */
export const retryableStatuses: ReadonlySet<string> = new Set(['failed', 'timed_out', 'rejected']);

/** What applying a retry answers its caller. */
export type RetryResult = { retried: true } | { retried: false; status: string } | { retried: false; dependencyId: string; status: string };

/**
 * Sends `task.retry` to a failed, timed-out or rejected task; refuses (changing nothing) when the
 * task is not in such a state or one of its dependencies ended badly.
 * @example applyRetry(core, { type: 'task.retry', taskId: 'build-1' }) // { retried: true }
 */
export const applyRetry: InputHandler<'task.retry'> = (core, input): RetryResult => {
  const id = input.taskId;
  let slot = core.slot('task', id);
  let restored = false;
  if (!slot) {
    const stored = core.pruning.has(id) ? undefined : core.store.getActor(taskAddress(id));
    if (!stored) return { retried: false, status: 'unknown' };
    core.restore('task', id, stored);
    slot = core.slot('task', id)!;
    restored = true;
  }
  const refuse = (r: RetryResult): RetryResult => {
    if (restored) core.actors.get('task')!.delete(id);
    return r;
  };
  const snap = (slot.snap ?? slot.persisted)!;
  const status = statusOf(snap);
  if (!retryableStatuses.has(status)) return refuse({ retried: false, status });
  const waitingOn: string[] = [];
  for (const dep of (snap.context as TaskContext).spec.dependsOn) {
    const s = core.taskStatus(dep);
    if (s === 'completed' || s === 'verified') continue;
    if (s === undefined || isTerminalTaskStatus(s)) return refuse({ retried: false, dependencyId: dep, status: s ?? 'unknown (pruned)' });
    waitingOn.push(dep);
  }
  for (const dep of waitingOn) {
    core.addDependent(dep, id);
    core.deliver(taskAddress(dep), { type: 'hive.blocking', at: core.at }, 'kernel');
  }
  core.deliver(taskAddress(id), { type: 'task.retry', waitingOn, at: core.at, ...(input.by !== undefined ? { by: input.by } : {}) }, 'input');
  return { retried: true };
};
