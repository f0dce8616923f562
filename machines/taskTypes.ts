/** @module The task machine's types: what a task is posted with, its context, its events and what it emits. */
import type { Json, ReleaseOutcome, TaskError, TerminalTaskStatus, TimerRequest, WorkRequest } from './types.js';
import type { Prediction } from './insights.js';

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
  /** The phase of the session it belongs to (`phase.completed` fires when all of a phase's tasks finished). */
  phase?: string;
  /** What insights expected when it was posted (absent while insights are off). */
  prediction?: Prediction;
  /** Position in post order, used to keep equal priorities first-in first-out. */
  order: number;
  createdAt: number;
}

/** Why a task was escalated: its agent failed with no capable backup, or it still waited on a dependency at its deadline. */
export type EscalationCode = 'no_backup' | 'dependency_deadline';

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
  /** Priorities inherited from waiting dependants, by dependant id (priority inheritance). */
  inherited?: Record<string, number>;
  /** The last escalation: why, and when. */
  escalation?: { code: EscalationCode; reason: string; at: number };
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
  | ({ type: 'hive.fail'; error: TaskError } & At)
  /** `ctx.handoff`: continue on `agentId` from `state`; `refused` (the kernel's verdict) leaves the attempt running. */
  | ({ type: 'task.handoff'; attempt: number; agentId: string; state: Json; refused?: string; detail?: string } & At)
  /** Its agent failed and no capable backup is available: suspend (the coordinator's decision, via the kernel). */
  | ({ type: 'hive.suspend'; agentId: string; reason: string } & At)
  /** A capable agent appeared: a suspended task goes back to the queue. */
  | ({ type: 'hive.resume' } & At)
  /** Its deadline came (timer armed when it was posted waiting on dependencies). */
  | ({ type: 'hive.overdue' } & At)
  /** A waiting dependant lends this task its priority (`priority` undefined: it no longer waits). */
  | ({ type: 'hive.boost'; from: string; priority?: number } & At);

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
    | 'task.handed_off'
    | 'task.handoff_refused'
    | 'task.suspended'
    | 'task.escalated'
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
  /** A handoff: the agent that handed the task on (`agentId` is the target). */
  from?: string;
  /** A refused handoff: why (`unknown`, `incapable`, `unavailable`) and what the kernel found. */
  reason?: string;
  detail?: string;
  /** `task.escalated`: why (`no_backup`, `dependency_deadline`) in words and as a code. */
  code?: EscalationCode;
  /** `task.escalated` for a dependency deadline: the dependencies it still waits on. */
  waitingOn?: string[];
};

/** Everything the task machine emits: effect requests, messages and public notifications. */
export type TaskEmitted = WorkRequest | TimerRequest | TaskMessage | TaskNotification;
