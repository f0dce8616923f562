/**
 * @module The worker machine: one job of a colony, from spawn (queued) through its attempts to its
 * report. Pure: time comes from `event.at`; running, aborting and delivering messages are emitted
 * requests. A crash (a thrown error, or an attempt lost with the process) restarts it up to
 * `maxResurrections` times; the report is derived from the final state and context.
 */
import { assign, emit, setup } from 'xstate';
import type { Json, TaskError } from './types.js';

/** What was spawned: fixed for the worker's life, shared by every snapshot. */
export interface WorkerSpec {
  /** Unique within its colony (`w-1`, `w-2`, ...). */
  id: string;
  colonyId: string;
  task: string;
  input: Json;
  /** Position in spawn order (the queue serves it first-in first-out). */
  order: number;
  createdAt: number;
  /** Crashes that restart the worker before it reports `failed`. */
  maxResurrections: number;
  /** The trigger that spawned it. */
  triggerId?: string;
  /** With inheritContext: how many of the overseer's messages it inherits (those it had at spawn). */
  inherit?: number;
  /** Call the hive's notifier when it finishes. */
  notify?: boolean;
  /** The colony's overseer, running the colony's handler or its own: takes no slot of `maxConcurrentWorkers` and starts at once. */
  overseer?: 'shared' | 'own';
}

export interface WorkerInput extends Omit<WorkerSpec, 'createdAt'> {
  at: number;
}

export interface WorkerContext {
  spec: WorkerSpec;
  attempt: number;
  resurrections: number;
  /** Messages sent to it (`send`, `inject`), in order; every attempt reads them from the start. */
  inbox: Json[];
  progress?: { pct: number; note?: string };
  checkpoint?: Json;
  output?: Json;
  summary?: string;
  usage?: Json;
  error?: TaskError;
  /** When its first attempt started. */
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
}

export const workerStatuses = ['queued', 'running', 'success', 'partial', 'failed', 'timeout', 'stopped'] as const;
export type WorkerStatus = (typeof workerStatuses)[number];
export type WorkerReportStatus = Exclude<WorkerStatus, 'queued' | 'running'>;

export function isFinishedWorkerStatus(status: string): status is WorkerReportStatus {
  return status !== 'queued' && status !== 'running';
}

/** What a finished worker reports (`waitForReports`, `worker.finished`). */
export interface WorkerReport {
  workerId: string;
  status: WorkerReportStatus;
  summary?: string;
  output?: Json;
  error?: TaskError;
  durationMs: number;
  usage?: Json;
}

/**
 * The report of a finished worker, from its final status and context.
 * @example workerReport('success', snap.context).output
 */
export function workerReport(status: WorkerReportStatus, c: WorkerContext): WorkerReport {
  const end = c.finishedAt ?? c.updatedAt;
  const r: WorkerReport = { workerId: c.spec.id, status, durationMs: c.startedAt === undefined ? 0 : Math.max(0, end - c.startedAt) };
  if (c.summary !== undefined) r.summary = c.summary;
  if (c.output !== undefined) r.output = c.output;
  if (c.error !== undefined) r.error = c.error;
  if (c.usage !== undefined) r.usage = c.usage;
  return r;
}

type At = { at: number };
export type WorkerEvent =
  | ({ type: 'hive.worker.start' } & At)
  | ({ type: 'worker.progress'; attempt: number; pct: number; note?: string } & At)
  | ({ type: 'worker.checkpoint'; attempt: number; state: Json } & At)
  | ({ type: 'worker.succeeded'; attempt: number; output: Json } & At)
  | ({ type: 'worker.partial'; attempt: number; summary?: string; output?: Json; usage?: Json } & At)
  | ({ type: 'worker.failed'; attempt: number; error: TaskError } & At)
  | ({ type: 'worker.lost'; attempt: number } & At)
  | ({ type: 'worker.message'; message: Json } & At)
  | ({ type: 'worker.stop'; reason: 'stopped' | 'timeout' } & At);

/** Requests for the effect layer: run an attempt, abort it, hand a running attempt a new message. */
export type WorkerRequest =
  | { type: 'effect.worker.execute'; colonyId: string; workerId: string; attempt: number }
  | { type: 'effect.worker.abort'; colonyId: string; workerId: string; attempt: number; reason: string }
  | { type: 'effect.worker.message'; colonyId: string; workerId: string; attempt: number };

/** Tells the colony that one of its workers finished (the kernel's colony index follows the worker itself). */
export type WorkerMessage = { type: 'effect.worker.settled'; colonyId: string; workerId: string };

export type WorkerNotification = {
  type: 'worker.spawned' | 'worker.finished' | 'worker.resurrected';
  colonyId: string;
  workerId: string;
  at: number;
  task?: string;
  triggerId?: string;
  attempt?: number;
  report?: Json;
  error?: Json;
  /** The worker was spawned with `notify: true`. */
  notify?: boolean;
};

export type WorkerEmitted = WorkerRequest | WorkerMessage | WorkerNotification;

type Ev<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;

const current = (c: WorkerContext, e: WorkerEvent) => 'attempt' in e && e.attempt === c.attempt;

/** The failure a crash records. */
function crashOf(e: WorkerEvent): TaskError {
  if (e.type === 'worker.failed') return e.error;
  return { code: 'crashed', message: 'the process running this worker died during its attempt' };
}

const final = (status: WorkerReportStatus) => ({
  type: 'final' as const,
  entry: [{ type: 'settle' as const }, { type: 'report' as const, params: { status } }],
});

export const workerMachine = setup({
  types: {
    context: {} as WorkerContext,
    input: {} as WorkerInput,
    events: {} as WorkerEvent,
    emitted: {} as WorkerEmitted,
  },
  guards: {
    current: ({ context, event }) => current(context, event),
    canResurrect: ({ context, event }) => current(context, event) && context.resurrections < context.spec.maxResurrections,
  },
  actions: {
    abort: emit(({ context }, params: { reason: string }) => ({
      type: 'effect.worker.abort' as const,
      colonyId: context.spec.colonyId,
      workerId: context.spec.id,
      attempt: context.attempt,
      reason: params.reason,
    })),
    end: assign(({ event }) => ({ updatedAt: event.at, finishedAt: event.at })),
    settle: emit(({ context }) => ({ type: 'effect.worker.settled' as const, colonyId: context.spec.colonyId, workerId: context.spec.id })),
    report: emit(
      ({ context }, params: { status: WorkerReportStatus }): WorkerNotification => ({
        type: 'worker.finished',
        colonyId: context.spec.colonyId,
        workerId: context.spec.id,
        at: context.finishedAt ?? context.updatedAt,
        report: workerReport(params.status, context) as unknown as Json,
        ...(context.spec.notify ? { notify: true } : {}),
      }),
    ),
    /** Supervision: the crashed attempt is replaced by a new one, which starts from the last checkpoint. */
    resurrect: assign(({ context, event }) => ({
      attempt: context.attempt + 1,
      resurrections: context.resurrections + 1,
      error: crashOf(event),
      progress: undefined,
      updatedAt: event.at,
    })),
    notifyResurrected: emit(
      ({ context, event }): WorkerNotification => ({
        type: 'worker.resurrected',
        colonyId: context.spec.colonyId,
        workerId: context.spec.id,
        at: event.at,
        attempt: context.attempt,
        error: context.error as unknown as Json,
      }),
    ),
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => {
    const { at, ...spec } = input;
    return { spec: { ...spec, createdAt: at }, attempt: 0, resurrections: 0, inbox: [], updatedAt: at };
  },
  initial: 'queued',
  entry: emit(({ context }) => {
    const n: WorkerNotification = {
      type: 'worker.spawned',
      colonyId: context.spec.colonyId,
      workerId: context.spec.id,
      at: context.spec.createdAt,
      task: context.spec.task,
    };
    if (context.spec.triggerId !== undefined) n.triggerId = context.spec.triggerId;
    return n;
  }),
  on: {
    'worker.message': { actions: assign(({ context, event }) => ({ inbox: [...context.inbox, event.message], updatedAt: event.at })) },
  },
  states: {
    queued: {
      on: {
        'hive.worker.start': {
          target: 'running',
          actions: assign(({ context, event }) => ({ attempt: context.attempt + 1, startedAt: event.at, updatedAt: event.at })),
        },
        'worker.stop': [
          {
            guard: ({ event }) => event.reason === 'timeout',
            target: 'timeout',
            actions: assign(({ event }) => ({
              error: { code: 'timeout', message: 'waitForReports timed out before the worker started' },
              updatedAt: event.at,
              finishedAt: event.at,
            })),
          },
          { target: 'stopped', actions: 'end' },
        ],
      },
    },
    running: {
      entry: emit(({ context }) => ({
        type: 'effect.worker.execute' as const,
        colonyId: context.spec.colonyId,
        workerId: context.spec.id,
        attempt: context.attempt,
      })),
      on: {
        'worker.message': {
          actions: [
            assign(({ context, event }) => ({ inbox: [...context.inbox, event.message], updatedAt: event.at })),
            emit(({ context }) => ({
              type: 'effect.worker.message' as const,
              colonyId: context.spec.colonyId,
              workerId: context.spec.id,
              attempt: context.attempt,
            })),
          ],
        },
        'worker.progress': {
          guard: 'current',
          actions: assign(({ event }) => {
            const e = event as Ev<'worker.progress'>;
            return { progress: e.note === undefined ? { pct: e.pct } : { pct: e.pct, note: e.note }, updatedAt: e.at };
          }),
        },
        'worker.checkpoint': {
          guard: 'current',
          actions: assign(({ event }) => ({ checkpoint: (event as Ev<'worker.checkpoint'>).state, updatedAt: event.at })),
        },
        'worker.succeeded': {
          guard: 'current',
          target: 'success',
          actions: assign(({ event }) => ({ output: (event as Ev<'worker.succeeded'>).output, error: undefined, updatedAt: event.at, finishedAt: event.at })),
        },
        'worker.partial': {
          guard: 'current',
          target: 'partial',
          actions: assign(({ event }) => {
            const e = event as Ev<'worker.partial'>;
            const r: Partial<WorkerContext> = { error: undefined, updatedAt: e.at, finishedAt: e.at };
            if (e.summary !== undefined) r.summary = e.summary;
            if (e.output !== undefined) r.output = e.output;
            if (e.usage !== undefined) r.usage = e.usage;
            return r;
          }),
        },
        'worker.failed': [
          { guard: 'canResurrect', target: 'running', reenter: true, actions: ['resurrect', 'notifyResurrected'] },
          { guard: 'current', target: 'failed', actions: assign(({ event }) => ({ error: crashOf(event), updatedAt: event.at, finishedAt: event.at })) },
        ],
        'worker.lost': [
          { guard: 'canResurrect', target: 'running', reenter: true, actions: ['resurrect', 'notifyResurrected'] },
          { guard: 'current', target: 'failed', actions: assign(({ event }) => ({ error: crashOf(event), updatedAt: event.at, finishedAt: event.at })) },
        ],
        'worker.stop': [
          {
            guard: ({ event }) => event.reason === 'timeout',
            target: 'timeout',
            actions: [
              { type: 'abort', params: { reason: 'timeout' } },
              assign(({ event }) => ({
                error: { code: 'timeout', message: 'waitForReports timed out while the worker ran' },
                updatedAt: event.at,
                finishedAt: event.at,
              })),
            ],
          },
          { target: 'stopped', actions: [{ type: 'abort', params: { reason: 'stopped' } }, 'end'] },
        ],
      },
    },
    success: final('success'),
    partial: final('partial'),
    failed: final('failed'),
    timeout: final('timeout'),
    stopped: final('stopped'),
  },
});
