/**
 * @module rateLimits: what the scheduler asks of a task type's rate limit: may one more task of it
 * start now (`core.at`, the journaled time of the input being applied), and noting a start.
 */
import { address, coordinatorAddress } from '../../machines/address.js';
import { allowsStart, type RateLimitContext } from '../../machines/rateLimit.js';
import { statusOf } from './ActorKind.js';
import type { KernelCore } from './KernelCore.js';

const limitOf = (core: KernelCore, taskType: string): RateLimitContext | undefined => {
  const snap = core.actors.get('ratelimit')!.size === 0 ? undefined : core.current('ratelimit', taskType);
  return snap && statusOf(snap) === 'active' ? (snap.context as RateLimitContext) : undefined;
};

/**
 * False while `taskType` has had `max` starts in the last `perMs` (its limit's timer wakes the scheduler).
 * @example if (!rateAllows(core, 'email')) continue
 */
export function rateAllows(core: KernelCore, taskType: string): boolean {
  const limit = limitOf(core, taskType);
  return limit === undefined || allowsStart(limit, core.at);
}

/** Counts a start of `taskType` against its limit, if it has one. */
export function noteStart(core: KernelCore, taskType: string): void {
  if (limitOf(core, taskType)) core.deliver(address('ratelimit', taskType), { type: 'hive.ratelimit.start', at: core.at }, coordinatorAddress);
}
