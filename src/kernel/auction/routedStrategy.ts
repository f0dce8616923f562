/**
 * @module routedStrategy: the default assignment strategy. Tasks posted with `assign: 'auction'`
 * are auctioned (an `auction:<taskId>` actor asks every free capable agent for a price); every
 * other task goes to the direct rule.
 */
import { auctionAddress } from '../../../machines/address.js';
import type { AuctionContext } from '../../../machines/auction.js';
import { successRate, tallyOf } from '../../../machines/learner.js';
import { routingDecision } from '../../../machines/routing.js';
import type { TaskContext } from '../../../machines/task.js';
import { learnerFigures } from './teachLearner.js';
import { statusOf } from '../ActorKind.js';
import { directStrategy, type AssignmentStrategy, type QueuedTask } from '../AssignmentStrategy.js';
import type { AgentPool } from '../AgentPool.js';
import type { KernelCore } from '../KernelCore.js';
import { orderOf } from '../applyInput.js';
import { queuePressure } from '../queuePressure.js';

/** Window of an auction whose task gave none. */
export const defaultAuctionWindowMs = 1000;

/**
 * Opens an auction for a queued task when none is open; never assigns by itself (the award does).
 * A task whose last round had no bids under `onNoBids: 'queue'` is auctioned again only when a free
 * capable agent that was not asked then is there.
 * @example auctionStrategy.pick({ id: 't1', type: 'build', excluded: [], assign: 'auction' }, pool, core) // undefined; auction:t1 is open
 */
export const auctionStrategy: AssignmentStrategy = {
  name: 'auction',
  pick: (task, pool, core) => {
    openAuction(task, pool, core);
    return undefined;
  },
};

/**
 * Direct for plain tasks, auction for tasks posted with `assign: 'auction'`.
 * @example routedStrategy.pick({ id: 't1', type: 'build', excluded: [] }, pool, core) // 'a1'
 */
export const routedStrategy: AssignmentStrategy = {
  name: 'routed',
  pick: (task, pool, core) => (task.assign === 'auction' ? auctionStrategy : directStrategy).pick(task, pool, core),
};

function openAuction(task: QueuedTask, pool: AgentPool, core: KernelCore): void {
  const inMemory = core.current('auction', task.id);
  if (inMemory && statusOf(inMemory) === 'open') return;
  // Intake of new auctions pauses while the pending queue is over `queueLimit` (RESOURCE_EXHAUSTED).
  if (queuePressure(core).over) return;
  const eligible = pool.ranked(task.type, task.excluded);
  if (eligible.length === 0) return;
  const previous = (inMemory ?? (core.store.getActor(auctionAddress(task.id))?.snapshot as typeof inMemory)) as
    | { value: unknown; context: AuctionContext }
    | undefined;
  if (previous && statusOf(previous) === 'unsold' && eligible.every((id) => previous.context.eligible.includes(id))) return;
  const spec = (core.current('task', task.id)!.context as TaskContext).spec;
  const figures = learnerFigures(core).agents;
  const last = previous ? routingDecision(previous.context) : undefined;
  core.create('auction', task.id, {
    taskId: task.id,
    taskType: task.type,
    round: (previous?.context.round ?? 0) + 1,
    eligible,
    successRates: eligible.map((id) => successRate(tallyOf(figures, id)?.byType.find((t) => t.taskType === task.type))),
    earlier: [...(previous?.context.earlier ?? []), ...(last ? [last] : [])],
    windowMs: spec.auction?.windowMs ?? defaultAuctionWindowMs,
    onNoBids: spec.auction?.onNoBids ?? 'fail',
    order: orderOf(core.seq, 0),
    at: core.at,
  });
}
