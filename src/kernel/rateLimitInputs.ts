/** @module rateLimitInputs: applies `ratelimit.set` and `ratelimit.remove` (journaled when a hive opens with other `rateLimits`). */
import { address } from '../../machines/address.js';
import { statusOf } from './ActorKind.js';
import type { InputHandler } from './applyInput.js';

export const rateLimitInputs: { 'ratelimit.set': InputHandler<'ratelimit.set'>; 'ratelimit.remove': InputHandler<'ratelimit.remove'> } = {
  'ratelimit.set': (core, { taskType, max, perMs }) => {
    const current = core.current('ratelimit', taskType);
    if (current && statusOf(current) !== 'removed') core.deliver(address('ratelimit', taskType), { type: 'ratelimit.set', max, perMs, at: core.at }, 'input');
    else core.create('ratelimit', taskType, { taskType, max, perMs, at: core.at });
    core.scheduleNeeded = true;
  },
  'ratelimit.remove': (core, { taskType }) => {
    core.deliver(address('ratelimit', taskType), { type: 'ratelimit.remove', at: core.at }, 'input');
    core.scheduleNeeded = true;
  },
};
