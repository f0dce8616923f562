/** @module learnerKind: the learner (`learner`), one per hive, created on its first fact; never finished. */
import { coordinatorAddress } from '../../../machines/address.js';
import { learnerMachine, type LearnerContext, type LearnerEvent } from '../../../machines/learner.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const learnerKind: ActorKind<LearnerContext> = {
  name: 'learner',
  stepper: new MachineStepper<LearnerContext, LearnerEvent, never>(learnerMachine) as unknown as ActorKind<LearnerContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<LearnerContext>,
  order: () => 0,
  isFinished: () => false,
  parentOf: () => coordinatorAddress,
};
