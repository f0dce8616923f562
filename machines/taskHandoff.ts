/**
 * @module The task machine's handoff rules (`ctx.handoff`): the kernel has already checked the
 * target; an accepted handoff ends the attempt and assigns the next one to the target with the
 * handed state as its checkpoint, a refused one only announces the refusal.
 */
import { isCurrent, type Ev } from './taskRules.js';
import type { TaskContext, TaskEvent, TaskNotification } from './taskTypes.js';

/** The current attempt hands off and the kernel accepted the target. */
export const handoffAccepted = ({ context, event }: { context: TaskContext; event: TaskEvent }) =>
  isCurrent(context, event) && (event as Ev<'task.handoff'>).refused === undefined;

/** The next attempt, on the target, starting from the handed state. */
export function handedOffContext(context: TaskContext, event: TaskEvent): Partial<TaskContext> {
  const e = event as Ev<'task.handoff'>;
  return { attempt: context.attempt + 1, assignedTo: e.agentId, checkpoint: e.state, progress: undefined, updatedAt: e.at };
}

/** `task.handed_off` (from the agent that ran the attempt) or `task.handoff_refused` (with the kernel's reason). */
export function handoffNotification(context: TaskContext, event: TaskEvent): TaskNotification {
  const e = event as Ev<'task.handoff'>;
  const n: TaskNotification = { type: 'task.handed_off', taskId: context.spec.id, attempt: context.attempt, at: e.at, agentId: e.agentId };
  if (e.refused === undefined) n.from = context.assignedTo ?? '';
  else {
    n.type = 'task.handoff_refused';
    n.reason = e.refused;
    if (e.detail !== undefined) n.detail = e.detail;
  }
  return n;
}

/** In `running`: accepted, the task goes to `assigned` on the target (the kernel starts it); refused, it carries on. */
export const handoffTransitions = [
  {
    guard: 'handoffAccepted' as const,
    target: 'assigned' as const,
    actions: [
      { type: 'abort' as const, params: { reason: 'handed off' } },
      { type: 'release' as const, params: { outcome: 'returned' as const } },
      'notifyHandoff' as const,
      'handOff' as const,
      { type: 'notify' as const, params: { type: 'task.assigned' as const } },
    ],
  },
  { guard: 'currentAttempt' as const, actions: 'notifyHandoff' as const },
];
