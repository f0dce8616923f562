/**
 * @module followWaitingFor: keeps each queued task's `waitingFor` in step with the agent pool, so a
 * task no agent can run is marked (and announced once with `task.unassignable`) instead of waiting
 * silently. Deterministic: it reads only the pool, which follows journaled inputs.
 */
import { taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Sends a queued task `hive.waiting` when why it cannot be assigned (if at all) changed.
 * @example followWaitingFor(core, 't1', context) // after the task went back to the queue
 */
export function followWaitingFor(core: KernelCore, id: string, c: TaskContext): void {
  const gap = core.agents.gap(c.spec.type, c.excluded);
  if (gap !== c.waitingFor) core.deliver(taskAddress(id), { type: 'hive.waiting', waitingFor: gap, at: core.at }, 'kernel');
}

/**
 * Re-checks the queued tasks of every type whose agents changed (the first capable agent came, the
 * last one stopped, handlers were attached or left with a process). Costs nothing when none did.
 * @example followPoolChanges(core) // before the scheduler assigns
 */
export function followPoolChanges(core: KernelCore): void {
  for (const type of core.agents.takeChanged()) {
    for (const id of core.queue.list(type)) followWaitingFor(core, id, core.current('task', id)!.context as TaskContext);
  }
  core.drain();
}
