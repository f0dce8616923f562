/**
 * @module The task machine's escalation rules, all pure: its deadline timers, suspension when its
 * agent failed with no capable backup, escalation when it still waits on a dependency at its
 * deadline, and the priorities it inherits from waiting dependants.
 */
import { taskAddress } from './address.js';
import { deadlineTimer, type Ev } from './taskRules.js';
import { type TaskContext, type TaskEvent, type TaskNotification, urgentWindowMs } from './taskTypes.js';
import type { TimerRequest } from './types.js';

export const overdueTimer = (id: string) => `${id}:overdue`;

/**
 * Timers a task arms when posted or retried with a deadline: its priority rises an hour before
 * (unless it already did), and, waiting on dependencies, it is escalated if it still waits then.
 */
export function deadlineTimers(context: TaskContext): TimerRequest[] {
  const { deadline, id } = context.spec;
  if (deadline === undefined) return [];
  const out: TimerRequest[] = [];
  const set = (timerId: string, due: number, event: { type: 'hive.urgent' } | { type: 'hive.overdue' }) =>
    out.push({ type: 'effect.timer.set', timerId, due, target: taskAddress(id), event });
  if (!context.urgent) set(deadlineTimer(id), deadline - urgentWindowMs, { type: 'hive.urgent' });
  if (context.waitingOn.length > 0) set(overdueTimer(id), deadline, { type: 'hive.overdue' });
  return out;
}

/** Cancels a finished task's deadline timers. */
export function clearedDeadlineTimers(context: TaskContext): TimerRequest[] {
  const { deadline, dependsOn, id } = context.spec;
  if (deadline === undefined) return [];
  const out: TimerRequest[] = [{ type: 'effect.timer.cancel', timerId: deadlineTimer(id) }];
  if (dependsOn.length > 0) out.push({ type: 'effect.timer.cancel', timerId: overdueTimer(id) });
  return out;
}

/** The task's agent failed with no capable backup: it waits in `suspended` (its checkpoint kept). */
export const suspended = (abort: boolean) => ({
  target: 'suspended' as const,
  actions: [
    ...(abort ? [{ type: 'abort' as const, params: { reason: 'suspended: its agent failed and no capable backup is available' } }] : []),
    { type: 'release' as const, params: { outcome: 'returned' as const } },
    'escalate' as const,
  ],
});

/** Still waiting on a dependency when its deadline came: escalated once (the timer fires once). */
export const overdue = { guard: 'waitsOnDependency' as const, actions: 'escalate' as const };

/** Suspended: a capable agent appearing puts it back in the queue (resuming from its checkpoint); it can be cancelled. */
export const suspendedState = {
  on: {
    'hive.resume': { target: 'pending' as const, actions: 'touch' as const },
    'task.cancel': { target: 'cancelled' as const, actions: 'end' as const },
  },
};

/**
 * An escalation: suspended because its agent failed with no capable backup (`hive.suspend`), or
 * still waiting on dependencies at its deadline (`hive.overdue`). The context update and the events
 * that announce it.
 */
export function escalation(context: TaskContext, event: TaskEvent): { update: Partial<TaskContext>; notices: TaskNotification[] } {
  const at = event.at;
  const base = { taskId: context.spec.id, taskType: context.spec.type, at };
  if (event.type === 'hive.suspend') {
    const reason = `${event.reason}; no capable agent is available to take the task over`;
    const about = { ...base, attempt: context.attempt, agentId: event.agentId };
    return {
      // The lost attempt counts as a re-dispatch: it ended through no failure of the task's own.
      update: { assignedTo: undefined, redispatches: context.redispatches + 1, updatedAt: at, escalation: { code: 'no_backup', reason, at } },
      notices: [
        { type: 'task.suspended', ...about },
        { type: 'task.escalated', ...about, code: 'no_backup', reason },
      ],
    };
  }
  const reason = `still waiting on ${context.waitingOn.join(', ')} at its deadline`;
  return {
    update: { escalation: { code: 'dependency_deadline', reason, at }, updatedAt: at },
    notices: [{ type: 'task.escalated', ...base, code: 'dependency_deadline', reason, waitingOn: context.waitingOn }],
  };
}

/** The priorities lent to a task after a dependant lent one or took it back. */
export function boosted(context: TaskContext, e: Ev<'hive.boost'>): Partial<TaskContext> {
  const inherited = { ...context.inherited };
  if (e.priority === undefined) delete inherited[e.from];
  else inherited[e.from] = e.priority;
  return { inherited: Object.keys(inherited).length === 0 ? undefined : inherited };
}
