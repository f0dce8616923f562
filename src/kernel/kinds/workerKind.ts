/** @module workerKind: remote worker sessions as actors (`worker:<agent id>`), each a child of its agent. */
import { agentAddress } from '../../../machines/address.js';
import { workerMachine, type WorkerContext, type WorkerEmitted, type WorkerEvent } from '../../../machines/worker.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const workerKind: ActorKind<WorkerContext> = {
  name: 'worker',
  stepper: new MachineStepper<WorkerContext, WorkerEvent, WorkerEmitted>(workerMachine) as ActorKind<WorkerContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<WorkerContext>,
  order: (c) => c.order,
  isFinished: () => false,
  parentOf: (c) => agentAddress(c.agentId),
};
