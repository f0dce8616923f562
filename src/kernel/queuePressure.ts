/**
 * @module queuePressure: whether the pending queue is over the hive's `queueLimit`. The one place
 * that decides it: `hive.isUnderPressure()`, `hive.report()` and anything inside the kernel that
 * must hold back intake (an auction opening) read it here. Deterministic: the queue and the limit
 * (journaled as `session.limits`) follow journaled inputs, so replay sees the same pressure.
 */
import type { SessionContext } from '../../machines/session.js';
import type { KernelCore } from './KernelCore.js';

export interface QueuePressure {
  /** Tasks ready and waiting for an agent (the pending queue). */
  queued: number;
  /** The configured limit (`createHive({ queueLimit })`); undefined when there is none. */
  limit?: number;
  /** True when `queued` is over `limit`. */
  over: boolean;
}

/**
 * The pending queue against the limit.
 * @example if (queuePressure(core).over) return // do not open a new auction now
 */
export function queuePressure(core: KernelCore): QueuePressure {
  // Tasks a scheduling pass set aside are still waiting: they count.
  const queued = core.queue.size + core.setAside;
  const limit = (core.current('session', '')?.context as SessionContext | undefined)?.queueLimit;
  return limit === undefined ? { queued, over: false } : { queued, limit, over: queued > limit };
}

/**
 * After the queue shrank: when it is no longer over its limit, the scheduler looks at the queue
 * again, so auctions held back by the pressure open now rather than at the next agent change.
 * @example noteQueueShrank(core) // after a queued task left the queue
 */
export function noteQueueShrank(core: KernelCore): void {
  if (core.actors.get('session')!.size === 0) return; // no session, no limit: nothing to do on the hot path
  const p = queuePressure(core);
  if (p.limit !== undefined && p.queued === p.limit) core.scheduleNeeded = true;
}
