/**
 * @module syncRateLimits: makes the hive's journaled rate limits match `createHive({ rateLimits })`.
 * Limits are journaled (not just read from options) so that replay and recovery assign tasks
 * exactly as the run did. Without the option, the directory keeps the limits it has.
 */
import type { RateLimitContext } from '../../machines/rateLimit.js';
import type { Kernel } from '../kernel/Kernel.js';

export type RateLimits = ReadonlyMap<string, { max: number; perMs: number }>;

/**
 * Journals `ratelimit.set` for new or changed limits and `ratelimit.remove` for ones no longer given.
 * @example await syncRateLimits(kernel, new Map([['email', { max: 10, perMs: 1000 }]]))
 */
export async function syncRateLimits(kernel: Kernel, limits: RateLimits | undefined): Promise<void> {
  if (limits === undefined) return;
  const writes: Array<Promise<unknown>> = [];
  const current = new Map<string, RateLimitContext>();
  for (const type of kernel.idsOf('ratelimit')) {
    const stored = kernel.actorSnapshot(`ratelimit:${type}`);
    if (stored && stored.status === 'active') current.set(type, (stored.snapshot as { context: RateLimitContext }).context);
  }
  for (const [taskType, { max, perMs }] of limits) {
    const c = current.get(taskType);
    if (!c || c.max !== max || c.perMs !== perMs) writes.push(kernel.submit({ type: 'ratelimit.set', taskType, max, perMs }));
  }
  for (const taskType of current.keys()) if (!limits.has(taskType)) writes.push(kernel.submit({ type: 'ratelimit.remove', taskType }));
  await Promise.all(writes);
}
