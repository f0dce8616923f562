/**
 * @module The task machine: one task's lifecycle from post to a terminal state. Pure: time comes
 * from `event.at`. Lean on purpose: the posted spec is one shared object in the context, and each
 * transition makes at most one `assign` (XState copies the whole context per assign).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { taskAddress } from './address.js';
import type { Json, ReleaseOutcome, TaskError, TerminalTaskStatus, TimerRequest, WorkRequest } from './types.js';

/** How long before its deadline a task counts as due soon (its priority rises). */
export const urgentWindowMs = 60 * 60 * 1000;
/** Cap on the exponential retry backoff. */
export const maxBackoffMs = 5 * 60 * 1000;

/** What was posted: fixed for the task's life, shared (never copied) by every snapshot. */
export interface TaskSpec {
  id: string;
  type: string;
  input: Json;
  priority: number;
  dependsOn: string[];
  deadline?: number;
  timeoutMs?: number;
  maxRetries: number;
  backoffMs: number;
  verify: boolean;
  owner?: string;
  idempotencyKey?: string;
  /** Set when the task is auctioned instead of assigned directly. */
  assign?: 'auction';
  auction?: { windowMs: number; onNoBids: 'fail' | 'queue' };
  /** Position in post order, used to keep equal priorities first-in first-out. */
  order: number;
  createdAt: number;
}

/** What the kernel passes when it creates a task actor (all fields already validated). */
export interface TaskInput extends Omit<TaskSpec, 'createdAt'> {
  /** Dependencies not yet completed when the task was posted. */
  waitingOn: string[];
  at: number;
}

/** What changes during the task's life; the spec rides along by reference. */
export interface TaskContext {
  spec: TaskSpec;
  waitingOn: string[];
  attempt: number;
  failures: number;
  redispatches: number;
  excluded: string[];
  assignedTo?: string;
  progress?: { pct: number; note?: string };
  checkpoint?: Json;
  output?: Json;
  error?: TaskError;
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
  | ({ type: 'task.cancel'; by?: string } & At)
  | ({ type: 'hive.fail'; error: TaskError } & At);

/** Messages the task sends to other actors through the kernel. */
export type TaskMessage =
  | { type: 'effect.release'; agentId: string; taskId: string; outcome: ReleaseOutcome }
  | { type: 'effect.settled'; taskId: string; ok: boolean; status: TerminalTaskStatus }
  | { type: 'effect.requeue'; taskId: string };

export type TaskNotification = {
  type: 'task.posted' | 'task.assigned' | 'task.started' | 'task.progress' | 'task.retrying' | `task.${TerminalTaskStatus}`;
  taskId: string;
  at: number;
  taskType?: string;
  attempt?: number;
  agentId?: string;
  error?: TaskError;
  pct?: number;
  note?: string;
  retryAt?: number;
};

/** Everything the task machine emits: effect requests, messages and public notifications. */
export type TaskEmitted = WorkRequest | TimerRequest | TaskMessage | TaskNotification;

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

/** The failure an event records. */
function failureOf(context: TaskContext, event: TaskEvent): TaskError {
  switch (event.type) {
    case 'attempt.failed':
      return event.error;
    case 'hive.timeout':
      return { code: 'timeout', message: `attempt ${context.attempt} ran past timeoutMs=${context.spec.timeoutMs}` };
    case 'verify.failed':
      return { code: 'verification_failed', message: event.reason };
    default:
      return { code: 'failed', message: event.type };
  }
}

const terminal = (status: TerminalTaskStatus, ok: boolean) => ({
  type: 'final' as const,
  entry: [
    { type: 'settle' as const, params: { status, ok } },
    { type: 'notify' as const, params: { type: `task.${status}` as const } },
    'clearDeadline' as const,
  ],
});

export const taskMachine = setup({
  types: {
    context: {} as TaskContext,
    input: {} as TaskInput,
    events: {} as TaskEvent,
    emitted: {} as TaskEmitted,
  },
  guards: {
    ready: ({ context }) => context.waitingOn.length === 0,
    currentAttempt: ({ context, event }) => isCurrent(context, event),
    currentAttemptWithRetries: ({ context, event }) => isCurrent(context, event) && context.failures < context.spec.maxRetries,
    succeededWithVerify: ({ context, event }) => isCurrent(context, event) && context.spec.verify,
    dependencyFailed: ({ event }) => event.type === 'hive.dependency.settled' && !event.ok,
    rejectedWithNoAgentLeft: ({ context, event }) => isCurrent(context, event) && event.type === 'attempt.rejected' && event.capableLeft === 0,
  },
  actions: {
    /** One assign for a failed attempt that will be retried: count it, record why, schedule the retry. */
    failToRetry: assign(({ context, event }) => {
      const failures = context.failures + 1;
      return { failures, error: failureOf(context, event), assignedTo: undefined, updatedAt: event.at, retryAt: event.at + backoffFor(context.spec.backoffMs, failures) };
    }),
    /** One assign for a failed attempt that ends the task. */
    failToEnd: assign(({ context, event }) => ({ failures: context.failures + 1, error: failureOf(context, event), updatedAt: event.at, finishedAt: event.at })),
    end: assign(({ event }) => ({ updatedAt: event.at, finishedAt: event.at })),
    touch: assign(({ event }) => ({ updatedAt: event.at })),
    reject: assign(({ context, event }) => {
      const e = event as Ev<'attempt.rejected'>;
      return {
        excluded: context.excluded.includes(e.agentId) ? context.excluded : [...context.excluded, e.agentId],
        assignedTo: undefined,
        error: { code: 'rejected', message: `agent ${e.agentId} rejected the task: ${e.reason}` },
        updatedAt: e.at,
        ...(e.capableLeft === 0 ? { finishedAt: e.at } : {}),
      };
    }),
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
      if (context.spec.deadline !== undefined) enqueue.emit({ type: 'effect.timer.cancel', timerId: deadlineTimer(context.spec.id) });
    }),
    settle: emit(({ context }, params: { status: TerminalTaskStatus; ok: boolean }) => ({
      type: 'effect.settled' as const,
      taskId: context.spec.id,
      ok: params.ok,
      status: params.status,
    })),
    notify: emit(({ context, event }, params: { type: TaskNotification['type'] }): TaskNotification => {
      const n: TaskNotification = { type: params.type, taskId: context.spec.id, taskType: context.spec.type, attempt: context.attempt, at: event.at };
      if (context.assignedTo !== undefined) n.agentId = context.assignedTo;
      if (context.error && params.type !== 'task.completed' && params.type !== 'task.verified') n.error = context.error;
      return n;
    }),
    requeue: emit(({ context }) => ({ type: 'effect.requeue' as const, taskId: context.spec.id })),
  },
}).createMachine({
  id: 'task',
  context: ({ input }) => {
    const { at, waitingOn, ...rest } = input;
    return {
      spec: { ...rest, createdAt: at },
      waitingOn,
      attempt: 0,
      failures: 0,
      redispatches: 0,
      excluded: [],
      updatedAt: at,
      urgent: input.deadline !== undefined && input.deadline - urgentWindowMs <= at,
      blocking: 0,
    };
  },
  initial: 'pending',
  entry: [
    emit(({ context }) => ({ type: 'task.posted' as const, taskId: context.spec.id, taskType: context.spec.type, at: context.spec.createdAt })),
    enqueueActions(({ context, enqueue }) => {
      const { deadline, id } = context.spec;
      if (deadline === undefined || context.urgent) return;
      enqueue.emit({ type: 'effect.timer.set', timerId: deadlineTimer(id), due: deadline - urgentWindowMs, target: taskAddress(id), event: { type: 'hive.urgent' } });
    }),
  ],
  on: {
    'hive.urgent': { actions: [assign(({ event }) => ({ urgent: true, updatedAt: event.at })), 'requeue'] },
    'hive.blocking': { actions: [assign(({ context }) => ({ blocking: context.blocking + 1 })), 'requeue'] },
  },
  states: {
    pending: {
      on: {
        'hive.assign': {
          guard: 'ready',
          target: 'assigned',
          actions: [
            assign(({ context, event }) => ({ attempt: context.attempt + 1, assignedTo: (event as Ev<'hive.assign'>).agentId, progress: undefined, updatedAt: event.at })),
            { type: 'notify', params: { type: 'task.assigned' } },
          ],
        },
        'hive.dependency.settled': [
          {
            guard: 'dependencyFailed',
            target: 'failed',
            actions: assign(({ event }) => {
              const e = event as Ev<'hive.dependency.settled'>;
              return { error: { code: 'dependency_failed', message: `dependency ${e.dependencyId} ended ${e.status}` }, updatedAt: e.at, finishedAt: e.at };
            }),
          },
          {
            actions: assign(({ context, event }) => {
              const e = event as Ev<'hive.dependency.settled'>;
              return { waitingOn: context.waitingOn.filter((d) => d !== e.dependencyId), updatedAt: e.at };
            }),
          },
        ],
        'task.cancel': { target: 'cancelled', actions: 'end' },
        // An auction that closed with no bids and onNoBids 'fail'.
        'hive.fail': { target: 'failed', actions: assign(({ event }) => ({ error: (event as Ev<'hive.fail'>).error, updatedAt: event.at, finishedAt: event.at })) },
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
        'task.cancel': { target: 'cancelled', actions: [{ type: 'release', params: { outcome: 'returned' } }, 'end'] },
      },
    },
    running: {
      entry: [
        emit(({ context }) => ({ type: 'effect.execute' as const, taskId: context.spec.id, attempt: context.attempt, agentId: context.assignedTo ?? '' })),
        enqueueActions(({ context, event, enqueue }) => {
          const { timeoutMs, id } = context.spec;
          if (timeoutMs === undefined) return;
          enqueue.emit({ type: 'effect.timer.set', timerId: timeoutTimer(id), due: event.at + timeoutMs, target: taskAddress(id), event: { type: 'hive.timeout', attempt: context.attempt } });
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
        'attempt.succeeded': [
          {
            guard: 'succeededWithVerify',
            target: 'verifying',
            actions: [{ type: 'release', params: { outcome: 'succeeded' } }, assign(({ event }) => ({ output: (event as Ev<'attempt.succeeded'>).output, error: undefined, updatedAt: event.at }))],
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
        'hive.reassign': {
          target: 'pending',
          actions: [{ type: 'abort', params: { reason: 'reassigned' } }, { type: 'release', params: { outcome: 'returned' } }, 'unassign'],
        },
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
    retrying: {
      entry: [
        emit(({ context }) => ({ type: 'effect.timer.set' as const, timerId: retryTimer(context.spec.id), due: context.retryAt ?? 0, target: taskAddress(context.spec.id), event: { type: 'hive.retry' as const } })),
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
    completed: terminal('completed', true),
    verified: terminal('verified', true),
    failed: terminal('failed', false),
    timed_out: terminal('timed_out', false),
    rejected: terminal('rejected', false),
    cancelled: terminal('cancelled', false),
  },
});
