/** @module remoteWorkerKind: remote worker sessions as actors (`remote:<agent id>`), each a child of its agent. */
import { agentAddress } from '../../../machines/address.js';
import { remoteWorkerMachine, type RemoteWorkerContext, type RemoteWorkerEmitted, type RemoteWorkerEvent } from '../../../machines/remoteWorker.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const remoteWorkerKind: ActorKind<RemoteWorkerContext> = {
  name: 'remote',
  stepper: new MachineStepper<RemoteWorkerContext, RemoteWorkerEvent, RemoteWorkerEmitted>(remoteWorkerMachine) as ActorKind<RemoteWorkerContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<RemoteWorkerContext>,
  order: (c) => c.order,
  isFinished: () => false,
  parentOf: (c) => agentAddress(c.agentId),
};
