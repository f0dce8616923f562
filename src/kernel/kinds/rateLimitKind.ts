/** @module rateLimitKind: per-type rate limits as actors (`ratelimit:<type>`); a change in one wakes the scheduler. */
import { coordinatorAddress } from '../../../machines/address.js';
import { rateLimitMachine, type RateLimitContext, type RateLimitEmitted, type RateLimitEvent } from '../../../machines/rateLimit.js';
import type { ActorKind } from '../ActorKind.js';
import { MachineStepper, type PersistedSnap } from '../MachineStepper.js';

export const rateLimitKind: ActorKind<RateLimitContext> = {
  name: 'ratelimit',
  stepper: new MachineStepper<RateLimitContext, RateLimitEvent, RateLimitEmitted>(rateLimitMachine) as ActorKind<RateLimitContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<RateLimitContext>,
  order: () => 0,
  isFinished: (status) => status === 'removed',
  parentOf: () => coordinatorAddress,
  // A window that reopened or a limit that changed may let queued tasks of its type start now.
  afterMessage: (core) => {
    core.scheduleNeeded = true;
  },
};
