/** @module The task machine's rules: timer names, guards, failure records and shared transitions, all pure. */
import { type TaskContext, type TaskEvent, type TaskInput, type TaskNotification, type TaskSpec, maxBackoffMs, urgentWindowMs } from './taskTypes.js';
import type { TaskError, TerminalTaskStatus } from './types.js';

export const timeoutTimer = (id: string) => `${id}:timeout`;
export const retryTimer = (id: string) => `${id}:retry`;
export const deadlineTimer = (id: string) => `${id}:deadline`;
export const dueTimer = (id: string) => `${id}:due`;
export const signalTimer = (id: string) => `${id}:signal`;

/** A dependency settled: a failure fails the task, a success is crossed off its list. */
export const dependencySettled = () => [
  { guard: 'dependencyFailed' as const, target: 'failed' as const, actions: 'failOnDependency' as const },
  { actions: 'dropDependency' as const },
];

/** A manual retry (`hive.retryTask`) of a failed, timed-out or rejected task: back to the queue as a new attempt. */
export const retried = { target: 'pending' as const, actions: ['retry' as const, 'notifyRetried' as const, 'armDeadline' as const] };

export const hasSignal = (context: TaskContext, name: string) => context.signals !== undefined && Object.hasOwn(context.signals, name);

/** Backoff before retry number `failures` (1-based): base * 2^(failures-1), capped. */
export function backoffFor(baseMs: number, failures: number): number {
  return Math.min(maxBackoffMs, baseMs * 2 ** Math.max(0, failures - 1));
}

export type Ev<T extends TaskEvent['type']> = Extract<TaskEvent, { type: T }>;

export const unassignable = (context: TaskContext, at: number): TaskNotification => ({
  type: 'task.unassignable',
  taskId: context.spec.id,
  taskType: context.spec.type,
  waitingFor: context.waitingFor,
  at,
});

/** Outcomes of an attempt that is no longer current (aborted, superseded after a crash) are ignored. */
export function isCurrent(context: TaskContext, event: TaskEvent): boolean {
  return 'attempt' in event && event.attempt === context.attempt;
}

/** The failure an event records. */
export function failureOf(context: TaskContext, event: TaskEvent): TaskError {
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

export const terminal = (status: TerminalTaskStatus, ok: boolean) => ({
  type: 'final' as const,
  ...ended(status, ok),
});

/** Entry of a terminal state; failed, timed_out and rejected are not XState-final: `task.retry` leaves them. */
export const ended = (status: TerminalTaskStatus, ok: boolean) => ({
  entry: [
    { type: 'settle' as const, params: { status, ok } },
    { type: 'notify' as const, params: { type: `task.${status}` as const } },
    'clearDeadline' as const,
  ],
});

/** The context of a task actor created with `input`: the spec is built once and shared by every snapshot. */
export function initialTaskContext(input: TaskInput): TaskContext {
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
}

type GuardArgs = { context: TaskContext; event: TaskEvent };

/** The task machine's guards (pure reads of the context and the event). */
export const taskGuards = {
  ready: ({ context }: GuardArgs) => context.waitingOn.length === 0,
  currentAttempt: ({ context, event }: GuardArgs) => isCurrent(context, event),
  currentAttemptWithRetries: ({ context, event }: GuardArgs) => isCurrent(context, event) && context.failures < context.spec.maxRetries,
  succeededWithVerify: ({ context, event }: GuardArgs) => isCurrent(context, event) && context.spec.verify,
  dependencyFailed: ({ event }: GuardArgs) => event.type === 'hive.dependency.settled' && !event.ok,
  rejectedWithNoAgentLeft: ({ context, event }: GuardArgs) => isCurrent(context, event) && event.type === 'attempt.rejected' && event.capableLeft === 0,
  /** Posted (or retried) before its `runAt`: it waits in `delayed`. Time only moves forward, so once due it stays due. */
  notDue: ({ context }: GuardArgs) => context.spec.runAt !== undefined && context.spec.runAt > context.updatedAt,
  /** The handler waits for a signal it has not received (and whose wait has not timed out). */
  suspends: ({ context, event }: GuardArgs) => {
    const e = event as Ev<'attempt.waiting'>;
    return isCurrent(context, e) && !hasSignal(context, e.name) && !(context.signalTimeouts ?? []).includes(e.name);
  },
  awaitedSignal: ({ context, event }: GuardArgs) => (event as Ev<'task.signal'>).name === context.waitingForSignal?.name,
  waitsOnDependency: ({ context }: GuardArgs) => context.waitingOn.length > 0,
};

/** A failed attempt that will be retried: count it, record why, schedule the retry. */
export function failedForRetry(context: TaskContext, event: TaskEvent): Partial<TaskContext> {
  const failures = context.failures + 1;
  return {
    failures,
    error: failureOf(context, event),
    assignedTo: undefined,
    updatedAt: event.at,
    retryAt: event.at + backoffFor(context.spec.backoffMs, failures),
  };
}

/** An agent rejected the attempt: it is excluded from this task; with no capable agent left the task ends. */
export function rejection(context: TaskContext, e: Ev<'attempt.rejected'>): Partial<TaskContext> {
  return {
    excluded: context.excluded.includes(e.agentId) ? context.excluded : [...context.excluded, e.agentId],
    assignedTo: undefined,
    error: { code: 'rejected', message: `agent ${e.agentId} rejected the task: ${e.reason}` },
    updatedAt: e.at,
    ...(e.capableLeft === 0 ? { finishedAt: e.at } : {}),
  };
}

/** A manual retry: a fresh set of automatic retries, no agent excluded, dependencies as the kernel found them. */
export function retriedContext(e: Ev<'task.retry'>): Partial<TaskContext> {
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
}

/** The public notification `type` of this task at `at` (with its agent, and its error unless it succeeded). */
export function notification(context: TaskContext, type: TaskNotification['type'], at: number): TaskNotification {
  const n: TaskNotification = { type, taskId: context.spec.id, taskType: context.spec.type, attempt: context.attempt, at };
  if (context.assignedTo !== undefined) n.agentId = context.assignedTo;
  if (context.error && type !== 'task.completed' && type !== 'task.verified') n.error = context.error;
  return n;
}

/** The task waits for a signal (until a time, when its wait has a timeout). */
export function waitingNotification(context: TaskContext, at: number): TaskNotification {
  const n: TaskNotification = { type: 'task.waiting', taskId: context.spec.id, attempt: context.attempt, at, signal: context.waitingForSignal?.name ?? '' };
  if (context.waitingForSignal?.until !== undefined) n.until = context.waitingForSignal.until;
  return n;
}
