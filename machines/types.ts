/** @module Shared types for the pure machines: ids, JSON values, priorities, effect requests. */
import type { Address } from './address.js';

export {
  address,
  agentAddress,
  colonyAddress,
  coordinatorAddress,
  parseAddress,
  taskAddress,
  workerAddress,
  workerKey,
  type Address,
  type KindName,
} from './address.js';

/** A JSON value: the only kind of data that goes into the journal. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type TaskId = string & { readonly __brand: 'TaskId' };
export type AgentId = string & { readonly __brand: 'AgentId' };

/** Agent priority names, highest first. */
export type AgentPriority = 'critical' | 'high' | 'normal';
export const agentPriorityRank: Record<AgentPriority, number> = { critical: 3, high: 2, normal: 1 };

/** Named task priorities; a task may also give a non-negative integer. */
export const taskPriorityByName = { normal: 0, high: 5, critical: 10 } as const;
export type TaskPriorityName = keyof typeof taskPriorityByName;

/** A structured failure recorded on a task. */
export interface TaskError {
  code: string;
  message: string;
}

/** Terminal task statuses; an actor in one of these is finished and can be passivated. */
export const terminalTaskStatuses = ['completed', 'verified', 'failed', 'timed_out', 'rejected', 'cancelled'] as const;
export type TerminalTaskStatus = (typeof terminalTaskStatuses)[number];
/** `delayed`: posted with `runAt`/`delayMs`, not queued until then; `waiting`: its handler waits for a signal. */
/**
 * `suspended`: its agent failed (missed heartbeats, too many failures) and no capable backup was
 * available; it goes back to the queue when a capable agent appears.
 */
export type TaskStatus = 'delayed' | 'pending' | 'assigned' | 'running' | 'waiting' | 'verifying' | 'retrying' | 'suspended' | TerminalTaskStatus;
export type AgentStatus = 'idle' | 'busy' | 'paused' | 'error' | 'stopped';

export function isTerminalTaskStatus(status: string): status is TerminalTaskStatus {
  return (terminalTaskStatuses as readonly string[]).includes(status);
}

/** How an attempt ended, from the agent's point of view ('returned' puts no blame on the agent). */
export type ReleaseOutcome = 'succeeded' | 'failed' | 'returned';

/**
 * Effect requests the task machine emits. The kernel performs them; machines never do I/O.
 * Timers carry the event to deliver and the address to deliver it to.
 */
export type TimerEvent =
  | { type: 'hive.urgent' }
  | { type: 'hive.timeout'; attempt: number }
  | { type: 'hive.retry' }
  | { type: 'hive.heartbeat.missed' }
  | { type: 'hive.agent.restart' }
  | { type: 'hive.trigger.due'; triggerId: string; slot: number }
  | { type: 'hive.colony.retention' }
  | { type: 'hive.due' }
  | { type: 'hive.signal.timeout'; name: string; until: number }
  | { type: 'hive.overdue' }
  | { type: 'hive.schedule.fire'; slot: number }
  | { type: 'hive.ratelimit.reopen' }
  | { type: 'hive.auction.close'; round: number }
  | { type: 'hive.message.timeout'; delivery: number };

export type TimerRequest =
  | { type: 'effect.timer.set'; timerId: string; due: number; target: Address; event: TimerEvent }
  | { type: 'effect.timer.cancel'; timerId: string };

/** Effects the kernel hands to the effect layer (the only ones that leave the deterministic core). */
export type WorkRequest =
  | { type: 'effect.execute'; taskId: string; attempt: number; agentId: string }
  | { type: 'effect.verify'; taskId: string; attempt: number }
  | { type: 'effect.abort'; taskId: string; attempt: number; reason: string }
  | { type: 'effect.auction.ask'; taskId: string; round: number; agentIds: string[] };

/** Public notifications the machines emit; the host forwards them to `hive.on()` listeners. */
export interface Notification {
  type:
    | `task.${string}`
    | `agent.${string}`
    | `colony.${string}`
    | `worker.${string}`
    | `trigger.${string}`
    | `schedule.${string}`
    | `message.${string}`
    | `phase.${string}`
    | `session.${string}`;
  [key: string]: Json | undefined;
}
