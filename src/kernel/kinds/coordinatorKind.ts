/** @module coordinatorKind: the root of the supervision tree (one per hive, address `coordinator`). */
import type { coordinatorAddress } from '../../../machines/address.js';
import { coordinatorMachine, type CoordinatorContext, type CoordinatorEmitted, type CoordinatorEvent } from '../../../machines/coordinator.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const coordinatorKind: ActorKind<CoordinatorContext> = {
  name: 'coordinator',
  stepper: new MachineStepper<CoordinatorContext, CoordinatorEvent, CoordinatorEmitted>(coordinatorMachine) as ActorKind<CoordinatorContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<CoordinatorContext>,
  order: () => 0,
  isFinished: () => false,
  parentOf: () => '' as typeof coordinatorAddress,
};
