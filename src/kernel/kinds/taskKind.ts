/** @module taskKind: tasks as actors: the task machine, its stored form, and how the queue follows it. */
import { coordinatorAddress } from '../../../machines/address.js';
import { taskMachine, type TaskContext, type TaskEmitted, type TaskEvent } from '../../../machines/task.js';
import { isTerminalTaskStatus } from '../../../machines/types.js';
import type { ActorKind } from '../ActorKind.js';
import { statusOf } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';
import { followWaitingFor } from '../followWaitingFor.js';
import { followPhase } from '../followPhase.js';
import { followLent, noteLent, queuePriority } from '../priorityInheritance.js';
import { upcastTaskContext } from './upcastTaskContext.js';

export const taskKind: ActorKind<TaskContext> = {
  name: 'task',
  stepper: new MachineStepper<TaskContext, TaskEvent, TaskEmitted>(taskMachine) as ActorKind<TaskContext>['stepper'],
  restore: (stored) => {
    const s = stored as PersistedSnap<unknown>;
    return { value: s.value, context: upcastTaskContext(s.context) };
  },
  order: (c) => c.spec.order,
  isFinished: isTerminalTaskStatus,
  revivedBy: (event) => event.type === 'task.retry',
  parentOf: () => coordinatorAddress,
  onAdded: (core, id, snap) => {
    const status = statusOf(snap);
    for (const dep of snap.context.waitingOn) core.addDependent(dep, id);
    if (snap.context.spec.ancestors) core.taskTree.add(id, snap.context.spec.ancestors);
    requeue(core, id, status, snap.context);
    if (status === 'suspended') core.suspended.follow(id, snap.context.spec.type, status);
    noteLent(core, id, status, snap.context);
    followOverdue(core, id, status, snap.context);
  },
  afterMessage: (core, id, snap, before) => {
    const after = statusOf(snap);
    if (after !== before) {
      core.countTask(before, after);
      if (before === 'suspended' || after === 'suspended') core.suspended.follow(id, snap.context.spec.type, after);
      if (snap.context.spec.phase !== undefined) followPhase(core, snap.context.spec.phase, before, after);
    }
    if (snap.context.spec.ancestors && isTerminalTaskStatus(after)) core.taskTree.remove(id, snap.context.spec.ancestors);
    if (requeue(core, id, after, snap.context)) followWaitingFor(core, id, snap.context);
    followLent(core, id, after, snap.context);
    followOverdue(core, id, after, snap.context);
  },
};

/** Keeps the queue in step with a task's state: pending with nothing to wait for = queued. Returns whether it is queued. */
function requeue(core: Parameters<NonNullable<ActorKind['onAdded']>>[0], id: string, status: string, c: TaskContext): boolean {
  if (status === 'pending' && c.waitingOn.length === 0) {
    if (core.queue.upsert(id, c.spec.type, queuePriority(c), c.spec.order)) core.scheduleNeeded = true;
    return true;
  }
  if (core.queue.has(id)) core.queue.remove(id);
  return false;
}

/** Keeps `core.overdue` in step: escalated at its deadline and still waiting on a dependency. */
function followOverdue(core: Parameters<NonNullable<ActorKind['onAdded']>>[0], id: string, status: string, c: TaskContext): void {
  if (c.escalation?.code === 'dependency_deadline' && (status === 'pending' || status === 'delayed') && c.waitingOn.length > 0) core.overdue.add(id);
  else if (core.overdue.size > 0) core.overdue.delete(id);
}
