/**
 * @module The session machine: the hive's phases (tasks posted with `phase`) and how many of each
 * have finished, the session's start, and its queue limit. Pure: time from `event.at`. It emits
 * `phase.completed` when every task of a phase has finished, and `session.completed` when every
 * phase has. A phase that gets a new task (or a finished task retried) is open again.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { isTerminalTaskStatus, type Notification } from './types.js';

/** One phase: its tasks, how many have finished, and their final statuses. */
export interface PhaseState {
  total: number;
  done: number;
  /** Finished tasks by final status (completed, verified, failed, ...). */
  byStatus: Record<string, number>;
  /** When its last task finished (unset while a task of it is unfinished). */
  completedAt?: number;
}

export interface SessionInput {
  at: number;
  queueLimit?: number;
}

export interface SessionContext {
  /** When the session started: the first task posted with a phase, or the first limit set. */
  startedAt: number;
  /** Phase names in the order their first task was posted. */
  order: string[];
  phases: Record<string, PhaseState>;
  /** Pending queue length above which the hive is under pressure (`createHive({ queueLimit })`). */
  queueLimit?: number;
  /** When every phase last completed (unset while one is open). */
  completedAt?: number;
  updatedAt: number;
}

type At = { at: number };
export type SessionEvent =
  /** A task of `phase` was posted (`from` undefined) or moved into or out of a final status. */
  ({ type: 'hive.phase.task'; phase: string; from?: string; to: string } & At) | ({ type: 'session.limits'; queueLimit?: number } & At);

export type SessionNotification = Notification & {
  type: 'phase.completed' | 'session.completed';
  at: number;
};

export type SessionEmitted = SessionNotification;

/** A phase after one of its tasks moved (posted, finished, or taken back from a final status). */
function moved(before: PhaseState | undefined, e: Extract<SessionEvent, { type: 'hive.phase.task' }>): PhaseState {
  const p: PhaseState = { total: before?.total ?? 0, done: before?.done ?? 0, byStatus: { ...before?.byStatus } };
  if (e.from === undefined) p.total++;
  else if (isTerminalTaskStatus(e.from)) {
    p.done--;
    const n = (p.byStatus[e.from] ?? 0) - 1;
    if (n > 0) p.byStatus[e.from] = n;
    else delete p.byStatus[e.from];
  }
  if (isTerminalTaskStatus(e.to)) {
    p.done++;
    p.byStatus[e.to] = (p.byStatus[e.to] ?? 0) + 1;
  }
  if (p.done === p.total) p.completedAt = before?.done === before?.total ? before?.completedAt : e.at;
  return p;
}

const allDone = (phases: Record<string, PhaseState>) => Object.values(phases).every((p) => p.done === p.total);

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    input: {} as SessionInput,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
  },
  actions: {
    phaseTask: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Extract<SessionEvent, { type: 'hive.phase.task' }>;
      const was = context.phases[e.phase];
      const now = moved(was, e);
      const phases = { ...context.phases, [e.phase]: now };
      const sessionDone = allDone(phases);
      enqueue.assign({
        phases,
        order: was ? context.order : [...context.order, e.phase],
        completedAt: sessionDone ? (context.completedAt ?? e.at) : undefined,
        updatedAt: e.at,
      });
      // Announced when the phase (and then the session) becomes complete, not on every later move.
      if (now.done !== now.total || (was !== undefined && was.done === was.total)) return;
      enqueue.emit({ type: 'phase.completed', phase: e.phase, total: now.total, done: now.done, byStatus: { ...now.byStatus }, at: e.at });
      if (sessionDone) {
        const total = Object.values(phases).reduce((n, p) => n + p.total, 0);
        enqueue.emit({ type: 'session.completed', phases: context.order.length + (was ? 0 : 1), total, at: e.at });
      }
    }),
    limits: assign(({ event }) => ({ queueLimit: (event as Extract<SessionEvent, { type: 'session.limits' }>).queueLimit, updatedAt: event.at })),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    startedAt: input.at,
    order: [],
    phases: {},
    updatedAt: input.at,
    ...(input.queueLimit !== undefined ? { queueLimit: input.queueLimit } : {}),
  }),
  initial: 'open',
  states: {
    open: {
      always: { guard: ({ context }) => context.completedAt !== undefined, target: 'completed' },
      on: { 'hive.phase.task': { actions: 'phaseTask' }, 'session.limits': { actions: 'limits' } },
    },
    completed: {
      always: { guard: ({ context }) => context.completedAt === undefined, target: 'open' },
      on: { 'hive.phase.task': { actions: 'phaseTask' }, 'session.limits': { actions: 'limits' } },
    },
  },
});
