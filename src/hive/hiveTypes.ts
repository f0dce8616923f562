/** @module hiveTypes: the names of the hive's public events and the shape of `hive.status()`. */
import type { PredictionFigures } from './insightsQuery.js';
import type { AgentStatus, TaskStatus } from '../../machines/types.js';
import type { CountsByStatus } from '../views.js';

/** Event names `hive.on()` accepts ('*' for all). */
export type HiveEventType =
  | 'agent.registered'
  | 'agent.failed'
  | 'agent.error'
  | 'agent.stopped'
  | 'agent.restarted'
  | 'agent.joined'
  | 'agent.left'
  | 'agent.lost'
  | 'task.posted'
  | 'task.assigned'
  | 'task.started'
  | 'task.progress'
  | 'task.retrying'
  | 'task.unassignable'
  | 'task.completed'
  | 'task.failed'
  | 'task.verified'
  | 'task.cancelled'
  | 'task.timed_out'
  | 'task.rejected'
  | 'colony.spawned'
  | 'colony.stopped'
  | 'worker.spawned'
  | 'worker.finished'
  | 'worker.resurrected'
  | 'trigger.fired'
  | 'trigger.skipped'
  | 'task.retried'
  | 'task.waiting'
  | 'task.signalled'
  | 'schedule.fired'
  | 'schedule.skipped'
  | 'task.auction.opened'
  | 'task.auction.bid'
  | 'task.auction.awarded'
  | 'task.auction.unsold'
  | 'message.undeliverable'
  | 'task.handed_off'
  | 'task.handoff_refused'
  | 'task.suspended'
  | 'task.escalated'
  | 'phase.completed'
  | 'session.completed'
  | '*';

/** What `hive.status()` answers: counts by status, the queue, timers and the journal position. */
export interface HiveStatus {
  agents: CountsByStatus<AgentStatus>;
  tasks: CountsByStatus<TaskStatus>;
  queued: number;
  timers: number;
  lastSeq: number;
  liveTasks: number;
  /** Auctions whose bidding window is open. */
  openAuctions: number;
  /** How well insights predicted who runs a task and how long it takes (see `insights()`). */
  predictions: PredictionFigures;
}
