/**
 * @module The task machine: one task's lifecycle from post to a terminal state. Pure: time comes
 * from `event.at`. Lean on purpose: the posted spec is one shared object in the context, and each
 * transition makes at most one `assign` (XState copies the whole context per assign). Its types are
 * in `taskTypes.ts`, its guards and shared pieces in `taskRules.ts`.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { taskAddress } from './address.js';
import {
  dependencySettled,
  dueTimer,
  type Ev,
  ended,
  failedForRetry,
  failureOf,
  initialTaskContext,
  notification,
  rejection,
  retriedContext,
  retried,
  retryTimer,
  signalTimer,
  taskGuards,
  terminal,
  timeoutTimer,
  unassignable,
  waitingNotification,
} from './taskRules.js';
import { boosted, clearedDeadlineTimers, deadlineTimers, escalation, overdue, suspended, suspendedState } from './taskEscalation.js';
import type { TaskContext, TaskEmitted, TaskEvent, TaskInput, TaskNotification } from './taskTypes.js';
import type { ReleaseOutcome, TerminalTaskStatus } from './types.js';
import { handedOffContext, handoffAccepted, handoffNotification, handoffTransitions } from './taskHandoff.js';

export type * from './taskTypes.js';
export { maxBackoffMs, urgentWindowMs } from './taskTypes.js';
export { backoffFor } from './taskRules.js';

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    input: {} as TaskInput,
    events: {} as TaskEvent,
    emitted: {} as TaskEmitted,
  },
  guards: { ...taskGuards, handoffAccepted },
  actions: {
    handOff: assign(({ context, event }) => handedOffContext(context, event)),
    notifyHandoff: emit(({ context, event }) => handoffNotification(context, event)),
    /** One assign for a failed attempt that will be retried: count it, record why, schedule the retry. */
    failToRetry: assign(({ context, event }) => failedForRetry(context, event)),
    /** One assign for a failed attempt that ends the task. */
    failToEnd: assign(({ context, event }) => ({
      failures: context.failures + 1,
      error: failureOf(context, event),
      updatedAt: event.at,
      finishedAt: event.at,
    })),
    end: assign(({ event }) => ({ updatedAt: event.at, finishedAt: event.at })),
    touch: assign(({ event }) => ({ updatedAt: event.at })),
    reject: assign(({ context, event }) => rejection(context, event as Ev<'attempt.rejected'>)),
    lose: assign(({ context, event }) => ({ redispatches: context.redispatches + 1, assignedTo: undefined, updatedAt: event.at })),
    unassign: assign(({ event }) => ({ assignedTo: undefined, updatedAt: event.at })),
    release: emit(({ context }, params: { outcome: ReleaseOutcome }) => ({
      type: 'effect.release' as const,
      agentId: context.assignedTo ?? '',
      taskId: context.spec.id,
      outcome: params.outcome,
    })),
    abort: emit(({ context }, params: { reason: string }) => ({
      type: 'effect.abort' as const,
      taskId: context.spec.id,
      attempt: context.attempt,
      reason: params.reason,
    })),
    clearDeadline: enqueueActions(({ context, enqueue }) => {
      for (const t of clearedDeadlineTimers(context)) enqueue.emit(t);
    }),
    escalate: enqueueActions(({ context, event, enqueue }) => {
      const { update, notices } = escalation(context, event);
      enqueue.assign(update);
      for (const n of notices) enqueue.emit(n);
    }),
    boost: assign(({ context, event }) => boosted(context, event as Ev<'hive.boost'>)),
    settle: emit(({ context }, params: { status: TerminalTaskStatus; ok: boolean }) => ({
      type: 'effect.settled' as const,
      taskId: context.spec.id,
      ok: params.ok,
      status: params.status,
    })),
    notify: emit(({ context, event }, params: { type: TaskNotification['type'] }) => notification(context, params.type, event.at)),
    requeue: emit(({ context }) => ({ type: 'effect.requeue' as const, taskId: context.spec.id })),
    armDeadline: enqueueActions(({ context, enqueue }) => {
      for (const t of deadlineTimers(context)) enqueue.emit(t);
    }),
    /** One assign for a manual retry: a fresh set of automatic retries, no agent excluded, dependencies as the kernel found them. */
    retry: assign(({ event }) => retriedContext(event as Ev<'task.retry'>)),
    storeSignal: assign(({ context, event }) => {
      const e = event as Ev<'task.signal'>;
      return { signals: { ...context.signals, [e.name]: e.value }, updatedAt: e.at };
    }),
    failOnDependency: assign(({ event }) => {
      const e = event as Ev<'hive.dependency.settled'>;
      return { error: { code: 'dependency_failed', message: `dependency ${e.dependencyId} ended ${e.status}` }, updatedAt: e.at, finishedAt: e.at };
    }),
    dropDependency: assign(({ context, event }) => {
      const e = event as Ev<'hive.dependency.settled'>;
      return { waitingOn: context.waitingOn.filter((d) => d !== e.dependencyId), updatedAt: e.at };
    }),
    notifyRetried: emit(({ context, event }): TaskNotification => {
      const n: TaskNotification = { type: 'task.retried', taskId: context.spec.id, taskType: context.spec.type, attempt: context.attempt, at: event.at };
      const by = (event as Ev<'task.retry'>).by;
      if (by !== undefined) n.by = by;
      return n;
    }),
    armSignalTimeout: enqueueActions(({ context, enqueue }) => {
      const w = context.waitingForSignal;
      if (w?.until === undefined) return;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: signalTimer(context.spec.id),
        due: w.until,
        target: taskAddress(context.spec.id),
        event: { type: 'hive.signal.timeout', name: w.name, until: w.until },
      });
    }),
    notifySignal: emit(
      ({ context, event }): TaskNotification => ({ type: 'task.signalled', taskId: context.spec.id, at: event.at, signal: (event as Ev<'task.signal'>).name }),
    ),
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => initialTaskContext(input),
  initial: 'pending',
  entry: [
    emit(({ context }) => ({ type: 'task.posted' as const, taskId: context.spec.id, taskType: context.spec.type, at: context.spec.createdAt })),
    enqueueActions(({ context, enqueue }) => {
      if (context.waitingFor !== undefined) enqueue.emit(unassignable(context, context.spec.createdAt));
    }),
    'armDeadline',
  ],
  on: {
    'hive.boost': { actions: ['boost', 'requeue'] },
    'hive.urgent': { actions: [assign(({ event }) => ({ urgent: true, updatedAt: event.at })), 'requeue'] },
    'hive.blocking': { actions: [assign(({ context }) => ({ blocking: context.blocking + 1 })), 'requeue'] },
    // A signal sent before the handler waits for it is kept; `waitForSignal` then returns it at once.
    'task.signal': { actions: ['storeSignal', 'notifySignal'] },
  },
  states: {
    delayed: {
      entry: emit(({ context }) => ({
        type: 'effect.timer.set' as const,
        timerId: dueTimer(context.spec.id),
        due: context.spec.runAt ?? 0,
        target: taskAddress(context.spec.id),
        event: { type: 'hive.due' as const },
      })),
      exit: emit(({ context }) => ({ type: 'effect.timer.cancel' as const, timerId: dueTimer(context.spec.id) })),
      on: {
        'hive.due': { target: 'pending', actions: 'touch' },
        'hive.dependency.settled': dependencySettled(),
        'hive.overdue': overdue,
        'task.cancel': { target: 'cancelled', actions: 'end' },
      },
    },
    pending: {
      always: { guard: 'notDue', target: 'delayed' },
      on: {
        'hive.assign': {
          guard: 'ready',
          target: 'assigned',
          actions: [
            assign(({ context, event }) => ({
              attempt: context.attempt + 1,
              assignedTo: (event as Ev<'hive.assign'>).agentId,
              progress: undefined,
              waitingFor: undefined,
              updatedAt: event.at,
            })),
            { type: 'notify', params: { type: 'task.assigned' } },
          ],
        },
        'hive.dependency.settled': dependencySettled(),
        'hive.overdue': overdue,
        'task.cancel': { target: 'cancelled', actions: 'end' },
        // Announced once each time it becomes unassignable, not on every scheduling pass.
        'hive.waiting': {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const e = event as Ev<'hive.waiting'>;
            if (e.waitingFor === context.waitingFor) return;
            enqueue.assign({ waitingFor: e.waitingFor });
            if (context.waitingFor === undefined) enqueue.emit(unassignable({ ...context, waitingFor: e.waitingFor }, e.at));
          }),
        },
        // An auction that closed with no bids and onNoBids 'fail'.
        'hive.fail': {
          target: 'failed',
          actions: assign(({ event }) => ({ error: (event as Ev<'hive.fail'>).error, updatedAt: event.at, finishedAt: event.at })),
        },
      },
    },
    assigned: {
      on: {
        'hive.start': { target: 'running', actions: assign(({ event }) => ({ startedAt: event.at, updatedAt: event.at })) },
        'attempt.rejected': [
          { guard: 'rejectedWithNoAgentLeft', target: 'rejected', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'reject'] },
          { guard: 'currentAttempt', target: 'pending', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'reject'] },
        ],
        'attempt.lost': { guard: 'currentAttempt', target: 'pending', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'lose'] },
        'hive.reassign': { target: 'pending', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'unassign'] },
        'hive.suspend': suspended(false),
        'task.cancel': { target: 'cancelled', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'end'] },
      },
    },
    running: {
      entry: [
        emit(({ context }) => ({ type: 'effect.execute' as const, taskId: context.spec.id, attempt: context.attempt, agentId: context.assignedTo ?? '' })),
        enqueueActions(({ context, event, enqueue }) => {
          const { timeoutMs, id } = context.spec;
          if (timeoutMs === undefined) return;
          enqueue.emit({
            type: 'effect.timer.set',
            timerId: timeoutTimer(id),
            due: event.at + timeoutMs,
            target: taskAddress(id),
            event: { type: 'hive.timeout', attempt: context.attempt },
          });
        }),
        { type: 'notify', params: { type: 'task.started' } },
      ],
      exit: enqueueActions(({ context, enqueue }) => {
        if (context.spec.timeoutMs !== undefined) enqueue.emit({ type: 'effect.timer.cancel', timerId: timeoutTimer(context.spec.id) });
      }),
      on: {
        'attempt.progress': {
          guard: 'currentAttempt',
          actions: [
            assign(({ event }) => {
              const e = event as Ev<'attempt.progress'>;
              return { progress: e.note === undefined ? { pct: e.pct } : { pct: e.pct, note: e.note }, updatedAt: e.at };
            }),
            emit(({ context, event }) => {
              const e = event as Ev<'attempt.progress'>;
              const n: TaskNotification = { type: 'task.progress', taskId: context.spec.id, attempt: context.attempt, at: e.at, pct: e.pct };
              if (e.note !== undefined) n.note = e.note;
              return n;
            }),
          ],
        },
        'attempt.checkpoint': {
          guard: 'currentAttempt',
          actions: assign(({ event }) => ({ checkpoint: (event as Ev<'attempt.checkpoint'>).state, updatedAt: event.at })),
        },
        // Waiting for a signal ends the attempt and frees the agent; the signal puts the task back in the queue.
        // When the signal is already here the attempt carries on (no transition; waitForSignal returns it).
        'attempt.waiting': {
          guard: 'suspends',
          target: 'waiting',
          actions: [
            { type: 'abort', params: { reason: 'waiting for a signal' } },
            { type: 'release', params: { outcome: 'returned' } },
            assign(({ event }) => {
              const e = event as Ev<'attempt.waiting'>;
              return {
                assignedTo: undefined,
                updatedAt: e.at,
                waitingForSignal: e.timeoutMs === undefined ? { name: e.name } : { name: e.name, until: e.at + e.timeoutMs },
              };
            }),
          ],
        },
        'attempt.succeeded': [
          {
            guard: 'succeededWithVerify',
            target: 'verifying',
            actions: [
              { type: 'release', params: { outcome: 'succeeded' } },
              assign(({ event }) => ({ output: (event as Ev<'attempt.succeeded'>).output, error: undefined, updatedAt: event.at })),
            ],
          },
          {
            guard: 'currentAttempt',
            target: 'completed',
            actions: [
              { type: 'release', params: { outcome: 'succeeded' } },
              assign(({ event }) => ({ output: (event as Ev<'attempt.succeeded'>).output, error: undefined, updatedAt: event.at, finishedAt: event.at })),
            ],
          },
        ],
        'attempt.failed': [
          { guard: 'currentAttemptWithRetries', target: 'retrying', actions: [{ type: 'release', params: { outcome: 'failed' } }, 'failToRetry'] },
          { guard: 'currentAttempt', target: 'failed', actions: [{ type: 'release', params: { outcome: 'failed' } }, 'failToEnd'] },
        ],
        'hive.timeout': [
          {
            guard: 'currentAttemptWithRetries',
            target: 'retrying',
            actions: [{ type: 'abort', params: { reason: 'timeout' } }, { type: 'release', params: { outcome: 'failed' } }, 'failToRetry'],
          },
          {
            guard: 'currentAttempt',
            target: 'timed_out',
            actions: [{ type: 'abort', params: { reason: 'timeout' } }, { type: 'release', params: { outcome: 'failed' } }, 'failToEnd'],
          },
        ],
        'attempt.rejected': [
          { guard: 'rejectedWithNoAgentLeft', target: 'rejected', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'reject'] },
          { guard: 'currentAttempt', target: 'pending', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'reject'] },
        ],
        'attempt.lost': { guard: 'currentAttempt', target: 'pending', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'lose'] },
        'task.handoff': handoffTransitions,
        'hive.reassign': {
          target: 'pending',
          actions: [{ type: 'abort', params: { reason: 'reassigned' } }, { type: 'release', params: { outcome: 'returned' } }, 'unassign'],
        },
        'hive.suspend': suspended(true),
        'task.cancel': {
          target: 'cancelled',
          actions: [{ type: 'abort', params: { reason: 'cancelled' } }, { type: 'release', params: { outcome: 'returned' } }, 'end'],
        },
      },
    },
    verifying: {
      entry: emit(({ context }) => ({ type: 'effect.verify' as const, taskId: context.spec.id, attempt: context.attempt })),
      on: {
        'verify.passed': { guard: 'currentAttempt', target: 'verified', actions: 'end' },
        'verify.failed': [
          { guard: 'currentAttemptWithRetries', target: 'retrying', actions: 'failToRetry' },
          { guard: 'currentAttempt', target: 'failed', actions: 'failToEnd' },
        ],
        'task.cancel': { target: 'cancelled', actions: 'end' },
      },
    },
    waiting: {
      entry: ['armSignalTimeout', emit(({ context, event }) => waitingNotification(context, event.at))],
      exit: enqueueActions(({ context, enqueue }) => {
        if (context.waitingForSignal?.until !== undefined) enqueue.emit({ type: 'effect.timer.cancel', timerId: signalTimer(context.spec.id) });
      }),
      on: {
        'task.signal': [
          {
            guard: 'awaitedSignal',
            target: 'pending',
            actions: [
              assign(({ context, event }) => {
                const e = event as Ev<'task.signal'>;
                return { signals: { ...context.signals, [e.name]: e.value }, waitingForSignal: undefined, updatedAt: e.at };
              }),
              'notifySignal',
            ],
          },
          { actions: ['storeSignal', 'notifySignal'] },
        ],
        // Only the timeout of this wait counts. One journaled just as a new wait set the timer again
        // is stale and consumed the new timer: arm it again.
        'hive.signal.timeout': [
          {
            guard: ({ context, event }) => event.until === context.waitingForSignal?.until,
            target: 'pending',
            actions: assign(({ context, event }) => ({
              signalTimeouts: [...(context.signalTimeouts ?? []), (event as Ev<'hive.signal.timeout'>).name],
              waitingForSignal: undefined,
              updatedAt: event.at,
            })),
          },
          { actions: 'armSignalTimeout' },
        ],
        'task.cancel': { target: 'cancelled', actions: 'end' },
      },
    },
    retrying: {
      entry: [
        emit(({ context }) => ({
          type: 'effect.timer.set' as const,
          timerId: retryTimer(context.spec.id),
          due: context.retryAt ?? 0,
          target: taskAddress(context.spec.id),
          event: { type: 'hive.retry' as const },
        })),
        emit(({ context, event }) => {
          const n: TaskNotification = { type: 'task.retrying', taskId: context.spec.id, attempt: context.attempt, at: event.at, retryAt: context.retryAt ?? 0 };
          if (context.error) n.error = context.error;
          return n;
        }),
      ],
      exit: emit(({ context }) => ({ type: 'effect.timer.cancel' as const, timerId: retryTimer(context.spec.id) })),
      on: {
        'hive.retry': { target: 'pending', actions: assign(({ event }) => ({ retryAt: undefined, updatedAt: event.at })) },
        'task.cancel': { target: 'cancelled', actions: 'end' },
      },
    },
    suspended: suspendedState,
    completed: terminal('completed', true),
    verified: terminal('verified', true),
    failed: { ...ended('failed', false), on: { 'task.retry': retried } },
    timed_out: { ...ended('timed_out', false), on: { 'task.retry': retried } },
    rejected: { ...ended('rejected', false), on: { 'task.retry': retried } },
    cancelled: terminal('cancelled', false),
  },
});
