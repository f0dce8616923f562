/** @module The inputs the kernel journals: everything from the outside world, each with a sequence number and a time. */
import type { AgentInput } from '../../machines/agent.js';
import type { ScheduleSpec } from '../../machines/schedule.js';
import type { TaskInput } from '../../machines/task.js';
import type { Json, TaskError } from '../../machines/types.js';
import type { ColonyInput } from './ColonyInput.js';
import type { MessagingInput } from './MessagingInput.js';
import type { RemoteSession } from '../../machines/remoteWorker.js';

export type TaskSpecRecord = Omit<TaskInput, 'at' | 'waitingOn' | 'waitingFor' | 'order'>;
export type AgentSpecRecord = Omit<AgentInput, 'at' | 'order'>;

export type Input =
  | { type: 'agent.spawn'; agent: AgentSpecRecord }
  | { type: 'agent.pause' | 'agent.resume' | 'agent.stop' | 'agent.heartbeat'; agentId: string }
  | { type: 'task.post'; tasks: TaskSpecRecord[] }
  | { type: 'task.cancel'; taskId: string; by?: string }
  | { type: 'attempt.progress'; taskId: string; attempt: number; pct: number; note?: string }
  | { type: 'attempt.checkpoint'; taskId: string; attempt: number; state: Json }
  | { type: 'attempt.succeeded'; taskId: string; attempt: number; output: Json }
  | { type: 'attempt.failed'; taskId: string; attempt: number; error: TaskError }
  | { type: 'attempt.rejected'; taskId: string; attempt: number; agentId: string; reason: string }
  | { type: 'attempt.lost'; taskId: string; attempt: number }
  | { type: 'verify.passed'; taskId: string; attempt: number }
  | { type: 'verify.failed'; taskId: string; attempt: number; reason: string }
  /** `due` names the instance that fired: a timer re-armed under the same id meanwhile is not the one that fell due. */
  | { type: 'timer.fired'; timerId: string; due?: number }
  | { type: 'hive.prune'; before: number; compactJournal?: boolean }
  /**
   * Journaled when a process opens the hive (after recovery): the task types it has hive-wide
   * handlers for (no agent has its own handler yet: functions are not stored). `intakeOnly`: it
   * runs no work at all (the CLI writing to a directory no program holds).
   */
  | { type: 'hive.opened'; handlerTypes: string[]; intakeOnly?: boolean }
  /** This process attached the agent's own handler (`attachHandler`, or spawnAgent again with `handler`). */
  | { type: 'agent.attach'; agentId: string }
  | ColonyInput
  | MessagingInput
  | { type: 'task.retry'; taskId: string; by?: string }
  | { type: 'task.signal'; taskId: string; name: string; value: Json }
  | { type: 'attempt.waiting'; taskId: string; attempt: number; name: string; timeoutMs?: number }
  | { type: 'schedule.set'; schedule: ScheduleSpec }
  | { type: 'schedule.pause' | 'schedule.resume' | 'schedule.remove'; scheduleId: string }
  | { type: 'ratelimit.set'; taskType: string; max: number; perMs: number }
  | { type: 'ratelimit.remove'; taskType: string }
  // Remote workers (src/remote): a process registers (or rejoins), leaves, or falls silent.
  | { type: 'remote.register'; agent: AgentSpecRecord; worker: RemoteSession }
  | { type: 'remote.leave' | 'remote.lost'; agentId: string; instance: string }
  // Auctions (src/kernel/auction): one agent's answer in an open auction round (null: it abstains).
  | { type: 'auction.bid'; taskId: string; round: number; agentId: string; price: number | null }
  /** The pending-queue length above which the hive is under pressure (`createHive({ queueLimit })`; undefined: none). */
  | { type: 'session.limits'; queueLimit?: number }
  /** Insights switched on or off (`createHive({ insights })`, journaled when it differs from the directory's). */
  | { type: 'insights.set'; enabled: boolean };

/** One journal entry. `at` is the host's clock when the input was accepted. */
export interface JournalRecord {
  seq: number;
  at: number;
  input: Input;
}
