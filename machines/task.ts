/**
 * @module The task machine: one task's lifecycle from post to a terminal state. Pure: time comes
 * from `event.at`. Lean on purpose: the posted spec is one shared object in the context, and each
 * transition makes at most one `assign` (XState copies the whole context per assign).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { Prediction } from './insights.js';
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
  /** The task that posted it (`ctx.postTask`); cancelling that task cancels this one. */
  parentTaskId?: string;
  /** Its ancestors, root first, parent last: cancelling any of them cancels this task. */
  ancestors?: string[];
  /** Call the hive's notifier once when it finishes (not when cancelled). */
  notify?: boolean;
  /** Not queued before this time (epoch ms): posted with `runAt`, or `delayMs` after the post. */
  runAt?: number;
  /** Set when the task is auctioned instead of assigned directly. */
  assign?: 'auction';
  auction?: { windowMs: number; onNoBids: 'fail' | 'queue' };
  /** What insights expected when it was posted (absent while insights are off). */
  prediction?: Prediction;
  /** Position in post order, used to keep equal priorities first-in first-out. */
  order: number;
  createdAt: number;
}

/**
 * Why a ready task cannot be assigned whatever the load: no agent (not stopped, not refused) has
 * its type as a capability, or some have but the process holding the hive has no handler for them.
 */
export type WaitingFor = 'capability' | 'handler';

/** What the kernel passes when it creates a task actor (all fields already validated). */
export interface TaskInput extends Omit<TaskSpec, 'createdAt'> {
  /** Dependencies not yet completed when the task was posted. */
  waitingOn: string[];
  /** Hold the task this long after the post (becomes `spec.runAt`, from the post's journaled time). */
  delayMs?: number;
  /** Set when, ready at once, it can be assigned to no agent. */
  waitingFor?: WaitingFor;
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
  /** Signal values received so far, by name (the latest value of a name wins). */
  signals?: Record<string, Json>;
  /** The signal the task is `waiting` for, and until when (epoch ms) when it has a timeout. */
  waitingForSignal?: { name: string; until?: number };
  /** Signals whose wait timed out; `waitForSignal` of one of them throws SignalTimeoutError. */
  signalTimeouts?: string[];
  /** Pending and ready, but no agent can take it (kept in step by the kernel: `hive.waiting`). */
  waitingFor?: WaitingFor;
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
  | ({ type: 'hive.due' } & At)
  | ({ type: 'task.retry'; by?: string; waitingOn: string[] } & At)
  | ({ type: 'task.signal'; name: string; value: Json } & At)
  | ({ type: 'attempt.waiting'; attempt: number; name: string; timeoutMs?: number } & At)
  | ({ type: 'hive.signal.timeout'; name: string; until: number } & At)
  | ({ type: 'hive.waiting'; waitingFor?: WaitingFor } & At)
  | ({ type: 'hive.fail'; error: TaskError } & At);

/** Messages the task sends to other actors through the kernel. */
export type TaskMessage =
  | { type: 'effect.release'; agentId: string; taskId: string; outcome: ReleaseOutcome }
  | { type: 'effect.settled'; taskId: string; ok: boolean; status: TerminalTaskStatus }
  | { type: 'effect.requeue'; taskId: string };

export type TaskNotification = {
  type:
    | 'task.posted'
    | 'task.assigned'
    | 'task.started'
    | 'task.progress'
    | 'task.retrying'
    | 'task.retried'
    | 'task.waiting'
    | 'task.signalled'
    | 'task.unassignable'
    | `task.${TerminalTaskStatus}`;
  taskId: string;
  at: number;
  taskType?: string;
  attempt?: number;
  agentId?: string;
  error?: TaskError;
  pct?: number;
  note?: string;
  retryAt?: number;
  by?: string;
  signal?: string;
  until?: number;
  waitingFor?: WaitingFor;
};

/** Everything the task machine emits: effect requests, messages and public notifications. */
export type TaskEmitted = WorkRequest | TimerRequest | TaskMessage | TaskNotification;

const timeoutTimer = (id: string) => `${id}:timeout`;
const retryTimer = (id: string) => `${id}:retry`;
const deadlineTimer = (id: string) => `${id}:deadline`;
const dueTimer = (id: string) => `${id}:due`;
const signalTimer = (id: string) => `${id}:signal`;

/** A dependency settled: a failure fails the task, a success is crossed off its list. */
const dependencySettled = () => [
  { guard: 'dependencyFailed' as const, target: 'failed' as const, actions: 'failOnDependency' as const },
  { actions: 'dropDependency' as const },
];

/** A manual retry (`hive.retryTask`) of a failed, timed-out or rejected task: back to the queue as a new attempt. */
const retried = { target: 'pending' as const, actions: ['retry' as const, 'notifyRetried' as const, 'armDeadline' as const] };

const hasSignal = (context: TaskContext, name: string) => context.signals !== undefined && Object.hasOwn(context.signals, name);

/** Backoff before retry number `failures` (1-based): base * 2^(failures-1), capped. */
export function backoffFor(baseMs: number, failures: number): number {
  return Math.min(maxBackoffMs, baseMs * 2 ** Math.max(0, failures - 1));
}

type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

const unassignable = (context: TaskContext, at: number): TaskNotification => ({
  type: 'task.unassignable',
  taskId: context.spec.id,
  taskType: context.spec.type,
  waitingFor: context.waitingFor,
  at,
});

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
  ...ended(status, ok),
});

/** Entry of a terminal state; failed, timed_out and rejected are not XState-final: `task.retry` leaves them. */
const ended = (status: TerminalTaskStatus, ok: boolean) => ({
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
    /** Posted (or retried) before its `runAt`: it waits in `delayed`. Time only moves forward, so once due it stays due. */
    notDue: ({ context }) => context.spec.runAt !== undefined && context.spec.runAt > context.updatedAt,
    /** The handler waits for a signal it has not received (and whose wait has not timed out). */
    suspends: ({ context, event }) => {
      const e = event as Ev<'attempt.waiting'>;
      return isCurrent(context, e) && !hasSignal(context, e.name) && !(context.signalTimeouts ?? []).includes(e.name);
    },
    awaitedSignal: ({ context, event }) => (event as Ev<'task.signal'>).name === context.waitingForSignal?.name,
  },
  actions: {
    /** One assign for a failed attempt that will be retried: count it, record why, schedule the retry. */
    failToRetry: assign(({ context, event }) => {
      const failures = context.failures + 1;
      return {
        failures,
        error: failureOf(context, event),
        assignedTo: undefined,
        updatedAt: event.at,
        retryAt: event.at + backoffFor(context.spec.backoffMs, failures),
      };
    }),
    /** One assign for a failed attempt that ends the task. */
    failToEnd: assign(({ context, event }) => ({
      failures: context.failures + 1,
      error: failureOf(context, event),
      updatedAt: event.at,
      finishedAt: event.at,
    })),
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
    armDeadline: enqueueActions(({ context, enqueue }) => {
      const { deadline, id } = context.spec;
      if (deadline === undefined || context.urgent) return;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: deadlineTimer(id),
        due: deadline - urgentWindowMs,
        target: taskAddress(id),
        event: { type: 'hive.urgent' },
      });
    }),
    /** One assign for a manual retry: a fresh set of automatic retries, no agent excluded, dependencies as the kernel found them. */
    retry: assign(({ event }) => {
      const e = event as Ev<'task.retry'>;
      return {
        failures: 0,
        error: undefined,
        finishedAt: undefined,
        excluded: [],
        waitingOn: e.waitingOn,
        assignedTo: undefined,
        retryAt: undefined,
        signalTimeouts: undefined,
        updatedAt: e.at,
      };
    }),
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
  context: ({ input }) => {
    const { at, waitingOn, waitingFor, delayMs, ...rest } = input;
    const spec: TaskSpec = { ...rest, createdAt: at };
    if (delayMs !== undefined) spec.runAt = at + delayMs;
    return {
      spec,
      waitingOn,
      attempt: 0,
      failures: 0,
      redispatches: 0,
      excluded: [],
      updatedAt: at,
      urgent: input.deadline !== undefined && input.deadline - urgentWindowMs <= at,
      blocking: 0,
      ...(waitingFor !== undefined ? { waitingFor } : {}),
    };
  },
  initial: 'pending',
  entry: [
    emit(({ context }) => ({ type: 'task.posted' as const, taskId: context.spec.id, taskType: context.spec.type, at: context.spec.createdAt })),
    enqueueActions(({ context, enqueue }) => {
      if (context.waitingFor !== undefined) enqueue.emit(unassignable(context, context.spec.createdAt));
    }),
    'armDeadline',
  ],
  on: {
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
    waiting: {
      entry: [
        'armSignalTimeout',
        emit(({ context, event }): TaskNotification => {
          const n: TaskNotification = {
            type: 'task.waiting',
            taskId: context.spec.id,
            attempt: context.attempt,
            at: event.at,
            signal: context.waitingForSignal?.name ?? '',
          };
          if (context.waitingForSignal?.until !== undefined) n.until = context.waitingForSignal.until;
          return n;
        }),
      ],
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
    completed: terminal('completed', true),
    verified: terminal('verified', true),
    failed: { ...ended('failed', false), on: { 'task.retry': retried } },
    timed_out: { ...ended('timed_out', false), on: { 'task.retry': retried } },
    rejected: { ...ended('rejected', false), on: { 'task.retry': retried } },
    cancelled: terminal('cancelled', false),
  },
});
