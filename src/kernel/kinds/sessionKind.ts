/** @module sessionKind: the hive's session (phases and their completion, queue limit) as one actor, address `session`. */
import { coordinatorAddress } from '../../../machines/address.js';
import { sessionMachine, type SessionContext, type SessionEmitted, type SessionEvent } from '../../../machines/session.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const sessionKind: ActorKind<SessionContext> = {
  name: 'session',
  stepper: new MachineStepper<SessionContext, SessionEvent, SessionEmitted>(sessionMachine) as ActorKind<SessionContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<SessionContext>,
  order: () => 0,
  isFinished: () => false,
  parentOf: () => coordinatorAddress,
};
