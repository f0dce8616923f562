/** @module scheduleKind: schedules as actors (`schedule:<id>`): the schedule machine under the coordinator; removed ones are passivated. */
import { coordinatorAddress } from '../../../machines/address.js';
import { scheduleMachine, type ScheduleContext, type ScheduleEmitted, type ScheduleEvent } from '../../../machines/schedule.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const scheduleKind: ActorKind<ScheduleContext> = {
  name: 'schedule',
  stepper: new MachineStepper<ScheduleContext, ScheduleEvent, ScheduleEmitted>(scheduleMachine) as ActorKind<ScheduleContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<ScheduleContext>,
  order: (c) => c.createdAt,
  isFinished: (status) => status === 'removed',
  parentOf: () => coordinatorAddress,
};
