/**
 * @module AssignmentStrategy: who gets a queued task. The scheduler asks a strategy; `direct` (the
 * default) gives it to the best free capable agent by the ranking rule. Other strategies (an
 * auction) plug in here without touching the scheduler.
 */
import type { AgentPool } from './AgentPool.js';
import type { KernelCore } from './KernelCore.js';

/** What a strategy sees of a queued task. */
export interface QueuedTask {
  id: string;
  type: string;
  excluded: readonly string[];
  /** How the task asked to be assigned (undefined: the hive's default, direct). */
  assign?: 'auction';
}

export interface AssignmentStrategy {
  readonly name: string;
  /** The agent to assign `task` to now, or undefined to leave it queued. Must be deterministic. */
  pick(task: QueuedTask, pool: AgentPool, core: KernelCore): string | undefined;
}

/**
 * Capability, then availability, then agent priority, load, least recently used, registration order.
 * @example directStrategy.pick({ id: 't1', type: 'build', excluded: [] }, pool)
 */
export const directStrategy: AssignmentStrategy = {
  name: 'direct',
  pick: (task, pool) => pool.best(task.type, task.excluded),
};
