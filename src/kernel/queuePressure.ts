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
  const queued = core.queue.size;
  const limit = (core.current('session', '')?.context as SessionContext | undefined)?.queueLimit;
  return limit === undefined ? { queued, over: false } : { queued, limit, over: queued > limit };
}
