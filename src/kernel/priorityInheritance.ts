/**
 * @module priorityInheritance: a pending dependency of a higher-priority task inherits that
 * priority while the task waits on it, and gives it back when the task no longer waits (it started,
 * failed or was cancelled). Transitive: a boosted task that itself waits passes its priority on.
 * Each dependant's asserted priority is a derived index (`core.boosts`, rebuilt from snapshots on
 * recovery); what each dependency inherited is in its own context (`inherited`), so checkpoints and
 * replay keep it.
 */
import { taskAddress } from '../../machines/address.js';
import { effectivePriority } from '../../machines/coordinator.js';
import type { TaskContext } from '../../machines/task.js';
import type { KernelCore } from './KernelCore.js';

/**
 * A task's priority in the queue: its own effective priority (base, deadline and blocking
 * modifiers), or the highest one a waiting dependant lent it.
 * @example queuePriority(context) // 10 for a priority-0 dependency of a waiting priority-10 task
 */
export function queuePriority(c: TaskContext): number {
  let p = effectivePriority({ priority: c.spec.priority, urgent: c.urgent, blocking: c.blocking });
  if (c.inherited) for (const v of Object.values(c.inherited)) if (v > p) p = v;
  return p;
}

/** The highest priority lent to a task by its waiting dependants, or undefined. */
export function inheritedPriority(c: TaskContext): number | undefined {
  if (!c.inherited) return undefined;
  let p: number | undefined;
  for (const v of Object.values(c.inherited)) if (p === undefined || v > p) p = v;
  return p;
}

/**
 * What a task lends its dependencies while it waits on them: its own priority (with the deadline
 * modifier) or what it inherited, whichever is higher; not its blocking modifier, which is its own
 * dependants' doing. 0 lends nothing.
 */
function lent(status: string, c: TaskContext): number | undefined {
  if ((status !== 'pending' && status !== 'delayed') || c.waitingOn.length === 0) return undefined;
  const p = Math.max(effectivePriority({ priority: c.spec.priority, urgent: c.urgent, blocking: 0 }), inheritedPriority(c) ?? 0);
  return p > 0 ? p : undefined;
}

/**
 * Records what a restored or created task lends, without telling its dependencies (a restored
 * one's dependencies already hold it; a created one's are told by `lendOnPost`).
 */
export function noteLent(core: KernelCore, id: string, status: string, c: TaskContext): void {
  const p = lent(status, c);
  if (p !== undefined) core.boosts.set(id, p);
}

/** A new task lends its priority to the dependencies it waits on. */
export function lendOnPost(core: KernelCore, id: string, c: TaskContext): void {
  const p = core.boosts.get(id);
  if (p === undefined) return;
  for (const dep of c.waitingOn) core.deliver(taskAddress(dep), { type: 'hive.boost', from: id, priority: p, at: core.at }, taskAddress(id));
}

/**
 * After a task changed: when what it lends changed (it stopped waiting, or its own priority
 * moved), tells the dependencies it waits on (`priority` undefined takes the boost back).
 * @example followLent(core, 't1', 'cancelled', context)
 */
export function followLent(core: KernelCore, id: string, status: string, c: TaskContext): void {
  const now = lent(status, c);
  const before = core.boosts.get(id);
  if (now === before) return;
  if (now === undefined) core.boosts.delete(id);
  else core.boosts.set(id, now);
  for (const dep of c.waitingOn) {
    const event =
      now === undefined ? { type: 'hive.boost' as const, from: id, at: core.at } : { type: 'hive.boost' as const, from: id, priority: now, at: core.at };
    core.deliver(taskAddress(dep), event, taskAddress(id));
  }
}
