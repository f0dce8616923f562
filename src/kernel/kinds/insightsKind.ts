/** @module insightsKind: the insights actor (`insights`), one per hive, created on its first fact; never finished. */
import { coordinatorAddress } from '../../../machines/address.js';
import { insightsMachine, type InsightsContext, type InsightsEvent } from '../../../machines/insights.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const insightsKind: ActorKind<InsightsContext> = {
  name: 'insights',
  stepper: new MachineStepper<InsightsContext, InsightsEvent, never>(insightsMachine) as unknown as ActorKind<InsightsContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<InsightsContext>,
  order: () => 0,
  isFinished: () => false,
  parentOf: () => coordinatorAddress,
};
