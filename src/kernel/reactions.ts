/**
 * @module reactions: what the kernel does with each event an actor emits, one small function per
 * event type. Messages become envelopes to other actors; timer requests change the timer table;
 * work requests go out as data for the live host.
 */
import { agentAddress, coordinatorAddress, taskAddress, type Address } from '../../machines/address.js';
import type { AgentMessage } from '../../machines/agent.js';
import type { ScheduleMessage } from '../../machines/schedule.js';
import type { AuctionMessage } from '../../machines/auction.js';
import { auctionAwarded, auctionUnsold, endAuction } from './auction/auctionReactions.js';
import { learnFromRelease } from './auction/teachLearner.js';
import type { TaskMessage } from '../../machines/task.js';
import type { TimerRequest, WorkRequest } from '../../machines/types.js';
import { colonyReactions, type ColonyEmittedMessage } from './colonyReactions.js';
import type { KernelCore } from './KernelCore.js';
import { taskEnded } from './insights/insightsFacts.js';
import { scheduleReactions } from './scheduleReactions.js';
import { messageReactions } from './messageReactions.js';
import type { MessageRequest } from '../../machines/message.js';
import { failOver } from './SuspendedTasks.js';

type Emitted = AgentMessage | TaskMessage | TimerRequest | WorkRequest | ColonyEmittedMessage | ScheduleMessage | AuctionMessage | MessageRequest;
type Reaction<T extends Emitted['type']> = (core: KernelCore, from: Address, e: Extract<Emitted, { type: T }>) => void;

const reactions: { [T in Emitted['type']]: Reaction<T> } = {
  'effect.timer.set': (core, _from, e) => core.setTimer({ timerId: e.timerId, due: e.due, target: e.target, event: e.event }),
  'effect.timer.cancel': (core, _from, e) => void core.timers.clear(e.timerId),
  'effect.release': (core, from, e) => {
    if (e.agentId) core.deliver(agentAddress(e.agentId), { type: 'hive.task.released', taskId: e.taskId, outcome: e.outcome, at: core.at }, from);
    learnFromRelease(core, from, e);
  },
  'effect.settled': (core, from, e) => {
    const waiting = core.dependents.get(e.taskId);
    core.dependents.delete(e.taskId);
    for (const dep of waiting ?? []) {
      core.deliver(taskAddress(dep), { type: 'hive.dependency.settled', dependencyId: e.taskId, ok: e.ok, status: e.status, at: core.at }, from);
    }
    core.settled(e.taskId);
    endAuction(core, e.taskId, from);
    taskEnded(core, e.taskId, e.status, from);
  },
  'effect.escalate': (core, from, e) => {
    core.deliver(coordinatorAddress, { type: 'hive.escalate', agentId: e.agentId, taskIds: e.taskIds, reason: e.reason, at: core.at }, from);
  },
  'effect.reassign': (core, from, e) => {
    if (e.failedAgent !== undefined) return failOver(core, e.taskIds, e.failedAgent, e.reason, from);
    for (const taskId of e.taskIds) core.deliver(taskAddress(taskId), { type: 'hive.reassign', reason: e.reason, at: core.at }, from);
  },
  // The task kind re-reads the task's priority after every message it handles.
  'effect.requeue': () => undefined,
  'effect.execute': (core, _from, e) => core.request(e),
  'effect.verify': (core, _from, e) => core.request(e),
  'effect.abort': (core, _from, e) => core.request(e),
  ...colonyReactions,
  ...scheduleReactions,
  'effect.auction.ask': (core, _from, e) => core.request(e),
  'effect.auction.awarded': auctionAwarded,
  'effect.auction.unsold': auctionUnsold,
  ...messageReactions,
};

/** Applies the reaction for one emitted event. */
export function react(core: KernelCore, from: Address, e: { type: string }): void {
  (reactions[e.type as Emitted['type']] as Reaction<Emitted['type']>)(core, from, e as Emitted);
}
