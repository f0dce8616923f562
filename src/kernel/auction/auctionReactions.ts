/**
 * @module auctionReactions: what the kernel does when an auction closes. The award assigns the
 * task to the winner as the scheduler would; a winner that is no longer free (it took other work
 * during the window) or a task that moved on leaves the task queued for a new round.
 */
import { agentAddress, auctionAddress, coordinatorAddress, taskAddress, type Address } from '../../../machines/address.js';
import type { AuctionContext, AuctionMessage } from '../../../machines/auction.js';
import type { TaskContext } from '../../../machines/task.js';
import { statusOf } from '../ActorKind.js';
import type { KernelCore } from '../KernelCore.js';
import { teachLearner } from './teachLearner.js';

type Msg<T extends AuctionMessage['type']> = Extract<AuctionMessage, { type: T }>;

/**
 * Assigns the task to the auction's winner when it still can.
 * @example auctionAwarded(core, auctionAddress('t1'), { type: 'effect.auction.awarded', taskId: 't1', round: 1, agentId: 'a1', price: 3 })
 */
export function auctionAwarded(core: KernelCore, from: Address, e: Msg<'effect.auction.awarded'>): void {
  const task = core.current('task', e.taskId);
  const c = task?.context as TaskContext | undefined;
  const taken = !!task && !!c && statusOf(task) === 'pending' && c.waitingOn.length === 0 && !c.excluded.includes(e.agentId) && core.agents.isFree(e.agentId);
  // A win counts only when it gives the winner the task: a round it cannot take is a bid, not a win.
  learnFromAuction(core, from, e.taskId, taken ? e.agentId : undefined);
  if (!taken) {
    core.scheduleNeeded = true;
    return;
  }
  const at = core.at;
  core.deliver(taskAddress(e.taskId), { type: 'hive.assign', agentId: e.agentId, at }, coordinatorAddress);
  core.deliver(agentAddress(e.agentId), { type: 'hive.task.assigned', taskId: e.taskId, at }, coordinatorAddress);
  core.deliver(taskAddress(e.taskId), { type: 'hive.start', at }, coordinatorAddress);
}

/**
 * No bids: the task fails with `no_bids`, or (onNoBids 'queue') stays queued for a later round.
 * @example auctionUnsold(core, auctionAddress('t1'), { type: 'effect.auction.unsold', taskId: 't1', round: 1, onNoBids: 'fail' })
 */
export function auctionUnsold(core: KernelCore, from: Address, e: Msg<'effect.auction.unsold'>): void {
  learnFromAuction(core, from, e.taskId, undefined);
  if (e.onNoBids === 'queue') return;
  core.deliver(
    taskAddress(e.taskId),
    { type: 'hive.fail', error: { code: 'no_bids', message: `no agent bid for task ${e.taskId} in auction round ${e.round}` }, at: core.at },
    from,
  );
}

/** Every priced bid of the round counts as a bid made; the winner's as a win when it took the task. */
function learnFromAuction(core: KernelCore, from: Address, taskId: string, winner: string | undefined): void {
  const c = core.current('auction', taskId)?.context as AuctionContext | undefined;
  if (!c) return;
  const bidders = c.bids.filter((b) => b.price !== null).map((b) => b.agentId);
  if (bidders.length > 0) teachLearner(core, { type: 'learn.auction', taskType: c.taskType, bidders, ...(winner !== undefined ? { winner } : {}) }, from);
}

/**
 * The task finished: its auction (kept live until now) is done.
 * @example endAuction(core, 't1', taskAddress('t1'))
 */
export function endAuction(core: KernelCore, taskId: string, from: Address): void {
  const auction = core.current('auction', taskId);
  if (auction && statusOf(auction) !== 'done') core.deliver(auctionAddress(taskId), { type: 'hive.auction.end', at: core.at }, from);
}
