/** @module colonyViews: the public views of a colony, its triggers and its workers' reports, derived from actor snapshots and the kernel's colony index. */
import type { ColonyContext, TriggerState } from '../../machines/colony.js';
import { triggerTimerId } from '../../machines/colony.js';
import { workerReport, type WorkerReport, isFinishedWorkerStatus, type WorkerContext } from '../../machines/worker.js';
import type { ColonyState } from '../kernel/ColonyIndex.js';

export interface TriggerView {
  id: string;
  kind: 'timer' | 'webhook' | 'api';
  task: string;
  everyMs?: number;
  runImmediately?: boolean;
  skipWhileBusy?: boolean;
  /** Webhooks: served at `POST /hooks/<path>` (the secret is never shown). */
  path?: string;
  /** Workers it spawned. */
  fired: number;
  lastFiredAt?: number;
  /** Timers: when the next slot is due (absent while timers are paused). */
  nextDueAt?: number;
}

export interface ColonyView {
  id: string;
  name: string;
  status: 'running' | 'stopped';
  capabilities: string[];
  maxConcurrentWorkers: number;
  maxResurrections: number;
  retention: { max: number; ttlMs?: number };
  owner?: string;
  /** Workers running now (the overseer included). */
  running: number;
  /** Workers waiting for a slot. */
  queued: number;
  /** Workers that finished, in total. */
  finished: number;
  /** Workers spawned, in total. */
  workers: number;
  triggers: TriggerView[];
  timersPaused: boolean;
  overseerId?: string;
  /** The last spawn, finished worker or stop. */
  lastActivityAt: number;
  createdAt: number;
  stoppedAt?: number;
}

/**
 * The view of a colony: its spec and counts, from its context and the kernel's index.
 * @example toColonyView('running', ctx, kernel.colonyIndex(ctx.spec.id), overseerRunning, (id) => kernel.timerDue(id))
 */
export function toColonyView(
  status: string,
  c: ColonyContext,
  index: Readonly<ColonyState>,
  overseerRunning: boolean,
  timerDue: (timerId: string) => number | undefined,
): ColonyView {
  const s = c.spec;
  const v: ColonyView = {
    id: s.id,
    name: s.name,
    status: status === 'stopped' ? 'stopped' : 'running',
    capabilities: s.capabilities,
    maxConcurrentWorkers: s.maxConcurrentWorkers,
    maxResurrections: s.maxResurrections,
    retention: s.retention,
    running: index.running.size + (overseerRunning ? 1 : 0),
    queued: index.queued.size,
    finished: c.finished,
    workers: c.nextWorker,
    triggers: Object.values(c.triggers).map((t) => toTriggerView(t, timerDue(triggerTimerId(s.id, t.id)))),
    timersPaused: c.timersPaused,
    lastActivityAt: c.lastActivityAt,
    createdAt: s.createdAt,
  };
  if (s.owner !== undefined) v.owner = s.owner;
  if (c.overseerId !== undefined) v.overseerId = c.overseerId;
  if (c.stoppedAt !== undefined) v.stoppedAt = c.stoppedAt;
  return v;
}

function toTriggerView(t: TriggerState, due: number | undefined): TriggerView {
  const v: TriggerView = { id: t.id, kind: t.kind, task: t.task, fired: t.fired };
  if (t.lastFiredAt !== undefined) v.lastFiredAt = t.lastFiredAt;
  if (t.kind === 'timer') {
    v.everyMs = t.everyMs;
    v.runImmediately = t.runImmediately;
    v.skipWhileBusy = t.skipWhileBusy;
    if (due !== undefined) v.nextDueAt = due;
  } else if (t.kind === 'webhook') v.path = t.path;
  return v;
}

/** The report of a worker: its stored one when finished, undefined while it is still queued or running. */
export function reportOf(status: string, c: WorkerContext): WorkerReport | undefined {
  return isFinishedWorkerStatus(status) ? workerReport(status, c) : undefined;
}

/** The report for an id the colony does not know (never spawned, or pruned by retention). */
export function noSuchWorker(colonyId: string, workerId: string): WorkerReport {
  return {
    workerId,
    status: 'failed',
    error: {
      code: 'no_such_worker',
      message: `colony ${JSON.stringify(colonyId)} has no worker ${JSON.stringify(workerId)} (never spawned, or pruned by retention)`,
    },
    durationMs: 0,
  };
}
