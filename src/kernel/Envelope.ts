/** @module Envelope: a message between actors, with who sent it and which journaled input caused it. */
import type { Address } from '../../machines/address.js';
import type { AgentEvent } from '../../machines/agent.js';
import type { ColonyEvent } from '../../machines/colony.js';
import type { AuctionEvent } from '../../machines/auction.js';
import type { LearnerEvent } from '../../machines/learner.js';
import type { InsightsEvent } from '../../machines/insights.js';
import type { CoordinatorEvent } from '../../machines/coordinator.js';
import type { RateLimitEvent } from '../../machines/rateLimit.js';
import type { ScheduleEvent } from '../../machines/schedule.js';
import type { TaskEvent } from '../../machines/task.js';
import type { WorkerEvent } from '../../machines/worker.js';
import type { RemoteWorkerEvent } from '../../machines/remoteWorker.js';
import type { MessageEvent } from '../../machines/message.js';
import type { SessionEvent } from '../../machines/session.js';

/** Senders that are not actors: a journaled API input, a durable timer, the kernel itself. */
export type Origin = Address | 'input' | 'timer' | 'kernel';

/** Every event an actor can receive; each carries the time of the input that caused it. */
export type KernelEvent =
  | TaskEvent
  | AgentEvent
  | CoordinatorEvent
  | ColonyEvent
  | WorkerEvent
  | ScheduleEvent
  | RateLimitEvent
  | RemoteWorkerEvent
  | AuctionEvent
  | LearnerEvent
  | MessageEvent
  | SessionEvent
  | InsightsEvent;

export interface Envelope {
  from: Origin;
  to: Address;
  event: KernelEvent;
  /** The journal sequence number of the input being applied when the message was sent. */
  causeSeq: number;
}
