/** @module The inputs the kernel journals: everything from the outside world, each with a sequence number and a time. */
import type { AgentInput } from '../../machines/agent.js';
import type { TaskInput } from '../../machines/task.js';
import type { Json, TaskError } from '../../machines/types.js';

export type TaskSpecRecord = Omit<TaskInput, 'at' | 'waitingOn' | 'order'>;
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
  | { type: 'timer.fired'; timerId: string }
  | { type: 'auction.bid'; taskId: string; round: number; agentId: string; price: number | null }
  | { type: 'hive.prune'; before: number; compactJournal?: boolean };

/** One journal entry. `at` is the host's clock when the input was accepted. */
export interface JournalRecord {
  seq: number;
  at: number;
  input: Input;
}
