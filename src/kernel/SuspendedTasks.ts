/**
 * @module SuspendedTasks: the tasks in `suspended` by task type (their agent failed and no capable
 * backup was left), so that a capable agent appearing finds them without a scan of every task.
 * Derived from the task snapshots (rebuilt on recovery and replay), never stored.
 */
import { taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import type { Origin } from './Envelope.js';
import type { KernelCore } from './KernelCore.js';

export class SuspendedTasks {
  private readonly byType = new Map<string, Set<string>>();

  /** Keeps the index in step with one task's status. */
  follow(id: string, type: string, status: string): void {
    const ids = this.byType.get(type);
    if (status === 'suspended') {
      if (ids) ids.add(id);
      else this.byType.set(type, new Set([id]));
    } else if (ids?.delete(id) && ids.size === 0) this.byType.delete(type);
  }

  get size(): number {
    return this.byType.size;
  }

  types(): IterableIterator<[string, Set<string>]> {
    return this.byType.entries();
  }
}

/**
 * Sends `hive.resume` to every suspended task that a capable agent (idle or busy, runnable here, not
 * refused by the task) can now take: one registered, resumed, recovered from `error` or had its
 * handler attached. Deterministic: it reads only the pool, which follows journaled inputs. Costs
 * nothing while no task is suspended.
 * @example resumeSuspended(core) // before the scheduler assigns
 */
export function resumeSuspended(core: KernelCore): void {
  if (core.suspended.size === 0) return;
  for (const [type, ids] of [...core.suspended.types()]) {
    if (!core.agents.hasBackup(type, '', [])) continue;
    for (const id of [...ids]) {
      const c = core.current('task', id)!.context as TaskContext;
      if (core.agents.hasBackup(type, '', c.excluded)) core.deliver(taskAddress(id), { type: 'hive.resume', at: core.at }, 'kernel');
    }
  }
  core.drain();
}

/**
 * What happens to the tasks of an agent that failed (missed heartbeats, too many failures, a lost
 * remote worker): each goes to a capable backup (`hive.reassign`: back to the queue, resuming from
 * its last checkpoint), or, when no other agent can take it, is suspended (`hive.suspend`).
 * @example failOver(core, ['t1'], 'a1', 'agent a1 failed: missed heartbeat', coordinatorAddress)
 */
export function failOver(core: KernelCore, taskIds: readonly string[], failedAgent: string, reason: string, from: Origin): void {
  for (const taskId of taskIds) {
    if (hasBackupFor(core, taskId, failedAgent)) core.deliver(taskAddress(taskId), { type: 'hive.reassign', reason, at: core.at }, from);
    else core.deliver(taskAddress(taskId), { type: 'hive.suspend', agentId: failedAgent, reason, at: core.at }, from);
  }
}

/**
 * Whether an agent other than the failed one can take the task over (true for a task not in memory: nothing to suspend).
 * @example hasBackupFor(core, 't1', 'a1')
 */
export function hasBackupFor(core: KernelCore, taskId: string, failedAgent: string): boolean {
  const c = core.current('task', taskId)?.context as TaskContext | undefined;
  return c === undefined || core.agents.hasBackup(c.spec.type, failedAgent, c.excluded);
}
