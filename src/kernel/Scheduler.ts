/**
 * @module Scheduler: serves the task queue. Repeatedly takes the best queued task (highest effective
 * priority, oldest first) among task types that have a free capable agent, asks the assignment
 * strategy for its agent, and assigns it. Deterministic: same state, same assignments.
 */
import { agentAddress, coordinatorAddress, taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import { followPoolChanges } from './followWaitingFor.js';
import type { KernelCore } from './KernelCore.js';
import { noteStart, rateAllows } from './rateLimits.js';
import { resumeSuspended } from './SuspendedTasks.js';

interface Pick {
  type: string;
  id: string;
  priority: number;
  order: number;
  agentId: string;
}

/**
 * Assigns queued tasks while there are free capable agents.
 * @example schedule(core) // after applying an input and draining its messages
 */
export function schedule(core: KernelCore): void {
  const { queue, agents, strategy } = core;
  resumeSuspended(core);
  followPoolChanges(core);
  while (core.scheduleNeeded) {
    core.scheduleNeeded = false;
    const stashed: Array<{ id: string; type: string; priority: number; order: number }> = [];
    for (;;) {
      let best: Pick | undefined;
      for (const type of [...queue.types()]) {
        if (!agents.hasFree(type) || !rateAllows(core, type)) continue;
        for (let top = queue.peek(type); top; top = queue.peek(type)) {
          const c = core.current('task', top.id)!.context as TaskContext;
          const agentId = strategy.pick({ id: top.id, type, excluded: c.excluded, ...(c.spec.assign ? { assign: c.spec.assign } : {}) }, agents, core);
          if (agentId !== undefined) {
            if (!best || top.priority > best.priority || (top.priority === best.priority && top.order < best.order)) best = { type, ...top, agentId };
            break;
          }
          // Every free agent was refused by this task: set it aside and look at the next one.
          queue.take(type);
          stashed.push({ ...top, type });
        }
      }
      if (!best) break;
      queue.take(best.type);
      const at = core.at;
      core.deliver(taskAddress(best.id), { type: 'hive.assign', agentId: best.agentId, at }, coordinatorAddress);
      core.deliver(agentAddress(best.agentId), { type: 'hive.task.assigned', taskId: best.id, at }, coordinatorAddress);
      core.deliver(taskAddress(best.id), { type: 'hive.start', at }, coordinatorAddress);
      noteStart(core, best.type);
      core.drain();
    }
    for (const s of stashed) queue.upsert(s.id, s.type, s.priority, s.order);
  }
}
