/** @module The task machine: one task's lifecycle from post to a terminal state. Pure: time comes from `event.at`. */
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Json, ReleaseOutcome, TaskError, TerminalTaskStatus } from './types.js';
import { taskAddress } from './types.js';

/** How long before its deadline a task counts as due soon (its priority rises). */
export const urgentWindowMs = 60 * 60 * 1000;
/** Cap on the exponential retry backoff. */
export const maxBackoffMs = 5 * 60 * 1000;

/** What the kernel passes when it creates a task actor (all fields already validated). */
export interface TaskInput {
  id: string;
  type: string;
  input: Json;
  priority: number;
  dependsOn: string[];
  /** Dependencies not yet completed when the task was posted. */
  waitingOn: string[];
  deadline?: number;
  timeoutMs?: number;
  maxRetries: number;
  backoffMs: number;
  verify: boolean;
  owner?: string;
  idempotencyKey?: string;
  /** Position in post order, used to keep equal priorities first-in first-out. */
  order: number;
  at: number;
}

export interface TaskContext extends Omit<TaskInput, 'at'> {
  attempt: number;
  failures: number;
  redispatches: number;
  excluded: string[];
  assignedTo?: string;
  progress?: { pct: number; note?: string };
  checkpoint?: Json;
  output?: Json;
  error?: TaskError;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  retryAt?: number;
  urgent: boolean;
  blocking: number;
}

type At = { at: number };
export type TaskEvent =
  | ({ type: 'hive.assign'; agentId: string } & At)
  | ({ type: 'hive.start' } & At)
  | ({ type: 'attempt.progress'; attempt: number; pct: number; note?: string } & At)
  | ({ type: 'attempt.checkpoint'; attempt: number; state: Json } & At)
  | ({ type: 'attempt.succeeded'; attempt: number; output: Json } & At)
  | ({ type: 'attempt.failed'; attempt: number; error: TaskError } & At)
  | ({ type: 'attempt.rejected'; attempt: number; agentId: string; reason: string; capableLeft: number } & At)
  | ({ type: 'attempt.lost'; attempt: number } & At)
  | ({ type: 'hive.reassign'; reason: string } & At)
  | ({ type: 'hive.timeout'; attempt: number } & At)
  | ({ type: 'hive.retry' } & At)
  | ({ type: 'hive.urgent' } & At)
  | ({ type: 'hive.blocking' } & At)
  | ({ type: 'hive.dependency.settled'; dependencyId: string; ok: boolean; status: string } & At)
  | ({ type: 'verify.passed'; attempt: number } & At)
  | ({ type: 'verify.failed'; attempt: number; reason: string } & At)
  | ({ type: 'task.cancel'; by?: string } & At);

const timeoutTimer = (id: string) => `${id}:timeout`;
const retryTimer = (id: string) => `${id}:retry`;
const deadlineTimer = (id: string) => `${id}:deadline`;

/** Backoff before retry number `failures` (1-based): base * 2^(failures-1), capped. */
export function backoffFor(baseMs: number, failures: number): number {
  return Math.min(maxBackoffMs, baseMs * 2 ** Math.max(0, failures - 1));
}

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

/** Outcomes of an attempt that is no longer current (aborted, superseded after a crash) are ignored. */
function isCurrent(context: TaskContext, event: TaskEvent): boolean {
  return 'attempt' in event && event.attempt === context.attempt;
}

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    input: {} as TaskInput,
    events: {} as TaskEvent,
    emitted: {} as { type: string; [key: string]: unknown },
  },
  guards: {
    ready: ({ context }) => context.waitingOn.length === 0,
    currentAttempt: ({ context, event }) => isCurrent(context, event),
    currentAttemptWithRetries: ({ context, event }) => isCurrent(context, event) && context.failures < context.maxRetries,
    succeededWithVerify: ({ context, event }) => isCurrent(context, event) && context.verify,
    dependencyFailed: ({ event }) => event.type === 'hive.dependency.settled' && !event.ok,
    rejectedWithNoAgentLeft: ({ context, event }) =>
      isCurrent(context, event) && event.type === 'attempt.rejected' && event.capableLeft === 0,
  },
  actions: {
    touch: assign({ updatedAt: ({ event }) => event.at }),
    release: emit(({ context }, params: { outcome: ReleaseOutcome }) => ({
      type: 'effect.release',
      agentId: context.assignedTo ?? '',
      taskId: context.id,
      outcome: params.outcome,
    })),
    abort: emit(({ context }, params: { reason: string }) => ({
      type: 'effect.abort',
      taskId: context.id,
      attempt: context.attempt,
      reason: params.reason,
    })),
    recordFailure: assign(({ context, event }) => {
      const error =
        event.type === 'attempt.failed'
          ? event.error
          : event.type === 'hive.timeout'
            ? { code: 'timeout', message: `attempt ${context.attempt} ran past timeoutMs=${context.timeoutMs}` }
            : event.type === 'verify.failed'
              ? { code: 'verification_failed', message: event.reason }
              : { code: 'failed', message: event.type };
      return { failures: context.failures + 1, error };
    }),
    finish: assign({ finishedAt: ({ event }) => event.at }),
    recordOutput: assign({ output: ({ event }) => (event as Ev<'attempt.succeeded'>).output, error: undefined }),
    unassign: assign({ assignedTo: undefined }),
    reject: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Ev<'attempt.rejected'>;
      enqueue.emit({ type: 'effect.release', agentId: context.assignedTo ?? '', taskId: context.id, outcome: 'returned' });
      enqueue.assign({
        excluded: context.excluded.includes(e.agentId) ? context.excluded : [...context.excluded, e.agentId],
        assignedTo: undefined,
        error: { code: 'rejected', message: `agent ${e.agentId} rejected the task: ${e.reason}` },
      });
    }),
    lose: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'effect.release', agentId: context.assignedTo ?? '', taskId: context.id, outcome: 'returned' });
      enqueue.assign({ redispatches: context.redispatches + 1, assignedTo: undefined });
    }),
    clearDeadline: enqueueActions(({ context, enqueue }) => {
      if (context.deadline !== undefined) enqueue.emit({ type: 'effect.timer.cancel', timerId: deadlineTimer(context.id) });
    }),
    settle: emit(({ context }, params: { status: TerminalTaskStatus; ok: boolean }) => ({
      type: 'effect.settled',
      taskId: context.id,
      ok: params.ok,
      status: params.status,
    })),
    notify: emit(({ context, event }, params: { type: string }) => ({
      type: params.type,
      taskId: context.id,
      taskType: context.type,
      attempt: context.attempt,
      at: event.at,
      ...(context.assignedTo !== undefined ? { agentId: context.assignedTo } : {}),
      ...(context.error && params.type !== 'task.completed' && params.type !== 'task.verified' ? { error: context.error } : {}),
    })),
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => {
    const { at, ...rest } = input;
    return {
      ...rest,
      attempt: 0,
      failures: 0,
      redispatches: 0,
      excluded: [],
      createdAt: at,
      updatedAt: at,
      urgent: input.deadline !== undefined && input.deadline - urgentWindowMs <= at,
      blocking: 0,
    };
  },
  initial: 'pending',
  entry: [
    emit(({ context }) => ({ type: 'task.posted', taskId: context.id, taskType: context.type, at: context.createdAt })),
    enqueueActions(({ context, enqueue }) => {
      if (context.deadline === undefined || context.urgent) return;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: deadlineTimer(context.id),
        due: context.deadline - urgentWindowMs,
        target: taskAddress(context.id),
        event: { type: 'hive.urgent' },
      });
    }),
  ],
  on: {
    'hive.urgent': { actions: [assign({ urgent: true }), 'touch', emit(({ context }) => ({ type: 'effect.requeue', taskId: context.id }))] },
    'hive.blocking': {
      actions: [assign({ blocking: ({ context }) => context.blocking + 1 }), emit(({ context }) => ({ type: 'effect.requeue', taskId: context.id }))],
    },
  },
  states: {
    pending: {
      on: {
        'hive.assign': {
          guard: 'ready',
          target: 'assigned',
          actions: [
            assign({
              attempt: ({ context }) => context.attempt + 1,
              assignedTo: ({ event }) => (event as Ev<'hive.assign'>).agentId,
              progress: undefined,
            }),
            'touch',
            { type: 'notify', params: { type: 'task.assigned' } },
          ],
        },
        'hive.dependency.settled': [
          {
            guard: 'dependencyFailed',
            target: 'failed',
            actions: [
              assign({
                error: ({ event }) => {
                  const e = event as Ev<'hive.dependency.settled'>;
                  return { code: 'dependency_failed', message: `dependency ${e.dependencyId} ended ${e.status}` };
                },
              }),
              'touch',
            ],
          },
          {
            actions: [
              assign({
                waitingOn: ({ context, event }) =>
                  context.waitingOn.filter((d) => d !== (event as Ev<'hive.dependency.settled'>).dependencyId),
              }),
              'touch',
            ],
          },
        ],
        'task.cancel': { target: 'cancelled', actions: 'touch' },
      },
    },
    assigned: {
      on: {
        'hive.start': { target: 'running', actions: [assign({ startedAt: ({ event }) => event.at }), 'touch'] },
        'attempt.rejected': [
          { guard: 'rejectedWithNoAgentLeft', target: 'rejected', actions: ['reject', 'touch'] },
          { guard: 'currentAttempt', target: 'pending', actions: ['reject', 'touch'] },
        ],
        'attempt.lost': { guard: 'currentAttempt', target: 'pending', actions: ['lose', 'touch'] },
        'hive.reassign': { target: 'pending', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'unassign', 'touch'] },
        'task.cancel': { target: 'cancelled', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'touch'] },
      },
    },
    running: {
      entry: [
        emit(({ context }) => ({
          type: 'effect.execute',
          taskId: context.id,
          attempt: context.attempt,
          agentId: context.assignedTo ?? '',
        })),
        enqueueActions(({ context, event, enqueue }) => {
          if (context.timeoutMs === undefined) return;
          enqueue.emit({
            type: 'effect.timer.set',
            timerId: timeoutTimer(context.id),
            due: event.at + context.timeoutMs,
            target: taskAddress(context.id),
            event: { type: 'hive.timeout', attempt: context.attempt },
          });
        }),
        { type: 'notify', params: { type: 'task.started' } },
      ],
      exit: enqueueActions(({ context, enqueue }) => {
        if (context.timeoutMs !== undefined) enqueue.emit({ type: 'effect.timer.cancel', timerId: timeoutTimer(context.id) });
      }),
      on: {
        'attempt.progress': {
          guard: 'currentAttempt',
          actions: [
            assign({
              progress: ({ event }) => {
                const e = event as Ev<'attempt.progress'>;
                return e.note === undefined ? { pct: e.pct } : { pct: e.pct, note: e.note };
              },
            }),
            'touch',
            emit(({ context, event }) => ({
              type: 'task.progress',
              taskId: context.id,
              attempt: context.attempt,
              at: event.at,
              pct: (event as Ev<'attempt.progress'>).pct,
              ...((event as Ev<'attempt.progress'>).note !== undefined ? { note: (event as Ev<'attempt.progress'>).note } : {}),
            })),
          ],
        },
        'attempt.checkpoint': {
          guard: 'currentAttempt',
          actions: [assign({ checkpoint: ({ event }) => (event as Ev<'attempt.checkpoint'>).state }), 'touch'],
        },
        'attempt.succeeded': [
          {
            guard: 'succeededWithVerify',
            target: 'verifying',
            actions: ['recordOutput', 'touch', { type: 'release', params: { outcome: 'succeeded' } }],
          },
          {
            guard: 'currentAttempt',
            target: 'completed',
            actions: ['recordOutput', 'touch', { type: 'release', params: { outcome: 'succeeded' } }],
          },
        ],
        'attempt.failed': [
          { guard: 'currentAttemptWithRetries', target: 'retrying', actions: ['recordFailure', 'touch', { type: 'release', params: { outcome: 'failed' } }] },
          { guard: 'currentAttempt', target: 'failed', actions: ['recordFailure', 'touch', { type: 'release', params: { outcome: 'failed' } }] },
        ],
        'hive.timeout': [
          {
            guard: 'currentAttemptWithRetries',
            target: 'retrying',
            actions: [{ type: 'abort', params: { reason: 'timeout' } }, 'recordFailure', 'touch', { type: 'release', params: { outcome: 'failed' } }],
          },
          {
            guard: 'currentAttempt',
            target: 'timed_out',
            actions: [{ type: 'abort', params: { reason: 'timeout' } }, 'recordFailure', 'touch', { type: 'release', params: { outcome: 'failed' } }],
          },
        ],
        'attempt.rejected': [
          { guard: 'rejectedWithNoAgentLeft', target: 'rejected', actions: ['reject', 'touch'] },
          { guard: 'currentAttempt', target: 'pending', actions: ['reject', 'touch'] },
        ],
        'attempt.lost': { guard: 'currentAttempt', target: 'pending', actions: ['lose', 'touch'] },
        'hive.reassign': {
          target: 'pending',
          actions: [{ type: 'abort', params: { reason: 'reassigned' } }, { type: 'release', params: { outcome: 'returned' } }, 'unassign', 'touch'],
        },
        'task.cancel': {
          target: 'cancelled',
          actions: [{ type: 'abort', params: { reason: 'cancelled' } }, { type: 'release', params: { outcome: 'returned' } }, 'touch'],
        },
      },
    },
    verifying: {
      entry: emit(({ context }) => ({ type: 'effect.verify', taskId: context.id, attempt: context.attempt })),
      on: {
        'verify.passed': { guard: 'currentAttempt', target: 'verified', actions: 'touch' },
        'verify.failed': [
          { guard: 'currentAttemptWithRetries', target: 'retrying', actions: ['recordFailure', 'touch'] },
          { guard: 'currentAttempt', target: 'failed', actions: ['recordFailure', 'touch'] },
        ],
        'task.cancel': { target: 'cancelled', actions: 'touch' },
      },
    },
    retrying: {
      entry: [
        assign({
          retryAt: ({ context, event }) => event.at + backoffFor(context.backoffMs, context.failures),
          assignedTo: undefined,
        }),
        emit(({ context }) => ({
          type: 'effect.timer.set',
          timerId: retryTimer(context.id),
          due: context.retryAt ?? 0,
          target: taskAddress(context.id),
          event: { type: 'hive.retry' },
        })),
        emit(({ context, event }) => ({
          type: 'task.retrying',
          taskId: context.id,
          attempt: context.attempt,
          at: event.at,
          retryAt: context.retryAt ?? 0,
          ...(context.error ? { error: context.error } : {}),
        })),
      ],
      exit: emit(({ context }) => ({ type: 'effect.timer.cancel', timerId: retryTimer(context.id) })),
      on: {
        'hive.retry': { target: 'pending', actions: [assign({ retryAt: undefined }), 'touch'] },
        'task.cancel': { target: 'cancelled', actions: 'touch' },
      },
    },
    completed: {
      type: 'final',
      entry: ['finish', { type: 'settle', params: { status: 'completed', ok: true } }, { type: 'notify', params: { type: 'task.completed' } }, 'clearDeadline'],
    },
    verified: {
      type: 'final',
      entry: ['finish', { type: 'settle', params: { status: 'verified', ok: true } }, { type: 'notify', params: { type: 'task.verified' } }, 'clearDeadline'],
    },
    failed: {
      type: 'final',
      entry: ['finish', { type: 'settle', params: { status: 'failed', ok: false } }, { type: 'notify', params: { type: 'task.failed' } }, 'clearDeadline'],
    },
    timed_out: {
      type: 'final',
      entry: ['finish', { type: 'settle', params: { status: 'timed_out', ok: false } }, { type: 'notify', params: { type: 'task.timed_out' } }, 'clearDeadline'],
    },
    rejected: {
      type: 'final',
      entry: ['finish', { type: 'settle', params: { status: 'rejected', ok: false } }, { type: 'notify', params: { type: 'task.rejected' } }, 'clearDeadline'],
    },
    cancelled: {
      type: 'final',
      entry: ['finish', { type: 'settle', params: { status: 'cancelled', ok: false } }, { type: 'notify', params: { type: 'task.cancelled' } }, 'clearDeadline'],
    },
  },
});
