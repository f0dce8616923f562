/** @module colonyKind: colonies as actors (`colony:<id>`), supervised by the coordinator; the colony index follows their limits and status. */
import { coordinatorAddress } from '../../../machines/address.js';
import { colonyMachine, type ColonyContext, type ColonyEmitted, type ColonyEvent } from '../../../machines/colony.js';
import type { ActorKind } from '../ActorKind.js';
import { statusOf } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const colonyKind: ActorKind<ColonyContext> = {
  name: 'colony',
  stepper: new MachineStepper<ColonyContext, ColonyEvent, ColonyEmitted>(colonyMachine) as ActorKind<ColonyContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<ColonyContext>,
  order: (c) => c.spec.order,
  // A stopped colony is kept: its handle, status and workers' reports still answer.
  isFinished: () => false,
  parentOf: () => coordinatorAddress,
  onAdded: (core, _id, snap) => core.colonies.configure(snap.context, statusOf(snap)),
  afterMessage: (core, _id, snap) => core.colonies.configure(snap.context, statusOf(snap)),
};
