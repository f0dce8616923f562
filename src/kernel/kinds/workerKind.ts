/**
 * @module workerKind: a colony's workers as actors (`worker:<colony>/<id>`): the worker machine and
 * the colony index that follows it. Finished workers stay (as their persisted snapshot) until the
 * colony's retention prunes them, so their reports survive restarts.
 */
import { colonyAddress } from '../../../machines/address.js';
import { isFinishedWorkerStatus, workerMachine, type WorkerContext, type WorkerEmitted, type WorkerEvent } from '../../../machines/worker.js';
import type { ActorKind } from '../ActorKind.js';
import { statusOf } from '../ActorKind.js';
import { pruneFinishedWorkers, startQueuedWorkers } from '../colonyScheduler.js';
import { MachineStepper, persist, type PersistedSnap } from '../MachineStepper.js';

export const workerKind: ActorKind<WorkerContext> = {
  name: 'worker',
  stepper: new MachineStepper<WorkerContext, WorkerEvent, WorkerEmitted>(workerMachine) as ActorKind<WorkerContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<WorkerContext>,
  order: (c) => c.spec.order,
  // Kept and restored until pruned: `waitForReports` answers from the stored report.
  isFinished: () => false,
  parentOf: (c) => colonyAddress(c.spec.colonyId),
  onAdded: (core, _key, snap) => core.colonies.get(snap.context.spec.colonyId).add(snap.context, statusOf(snap)),
  afterMessage: (core, key, snap, before) => {
    const after = statusOf(snap);
    if (after === before || !isFinishedWorkerStatus(after)) return;
    const colonyId = snap.context.spec.colonyId;
    core.colonies.get(colonyId).finish(snap.context);
    // A finished worker takes no more messages: keep only its persisted form (a fraction of a hosted snapshot).
    const slot = core.slot('worker', key)!;
    slot.persisted = persist(snap);
    slot.snap = undefined;
    pruneFinishedWorkers(core, colonyId);
    startQueuedWorkers(core, colonyId);
  },
  resumeInFlight: (_key, snap) => {
    if (statusOf(snap) !== 'running') return undefined;
    const c = snap.context;
    return { type: 'worker.lost', colonyId: c.spec.colonyId, workerId: c.spec.id, attempt: c.attempt };
  },
};
