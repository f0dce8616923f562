/** @module The handler contract: what agent work looks like to hivestate. */
import type { Logger } from 'pino';
import type { Json } from '../../machines/types.js';
import type { AgentSpec, TaskSpec } from '../specs.js';
import type { AgentView, TaskView } from '../views.js';

/** What a handler gets besides the task. */
export interface HandlerContext {
  /** Aborted when the task is cancelled, times out, is reassigned or the hive closes. */
  signal: AbortSignal;
  /** 1 for the first attempt; re-dispatches after a crash and retries count up. */
  attempt: number;
  agentId: string;
  taskId: string;
  /** Reports progress (0..100); journaled, visible in `getTask().progress` and `task.progress` events. */
  progress(pct: number, note?: string): Promise<void>;
  /**
   * Stores a JSON checkpoint durably; resolves after the commit. A later attempt sees it as
   * `lastCheckpoint`. Rejects with `AttemptSupersededError` when this attempt is no longer current.
   */
  checkpoint(state: Json): Promise<void>;
  /** The last checkpoint any earlier attempt of this task stored. */
  lastCheckpoint: Json | undefined;
  /**
   * Registers a sub-agent of the agent running this attempt: its level is the agent's + 1 and its
   * `parentId` the agent (stopping the agent stops it). A level-3 agent gets `DepthLimitError`.
   */
  spawnAgent(spec: AgentSpec): Promise<AgentView>;
  /** Posts a sub-task of this task (`parentTaskId` = this task): cancelling this task cancels it too. */
  postTask(spec: TaskSpec): Promise<TaskView>;
  /** Signal values the task had received when this attempt started, by name. */
  signals: Record<string, Json>;
  /**
   * Waits for a signal sent with `hive.signal(taskId, name, value)` (or `hivestate signal`).
   * Received already (before or during this attempt): resolves with its value at once. Otherwise
   * the attempt ends durably (the task is `waiting` and holds no agent) and this rejects with
   * AttemptSuspendedError; let it propagate. When the signal arrives, the handler runs again from
   * the start as a new attempt (use `checkpoint` to skip finished steps) and this call returns the
   * value at once. With `timeoutMs`, a wait that outlasts it puts the task back in the queue and
   * this call throws SignalTimeoutError in that attempt (catch it to carry on without the signal).
   */
  waitForSignal(name: string, options?: { timeoutMs?: number }): Promise<Json>;
  /**
   * Hands the task to another agent: this attempt ends (its signal is aborted; return at once, what
   * it returns is dropped) and the task continues on `agentId` as a new attempt that sees `state`
   * as `ctx.lastCheckpoint`. An unknown, incapable or unavailable agent is a HandoffRefusedError
   * (nothing changed: the attempt carries on). Remote workers get a ValidationError.
   */
  handoff(agentId: string, state?: Json): Promise<void>;
  logger: Logger;
}

/**
 * Runs one attempt of a task. Its resolved value (JSON) is the task's output; a thrown error fails
 * the attempt (its message and `code` are recorded); throwing `TaskRejectedError` refuses the task.
 */
export type Handler = (task: TaskView, ctx: HandlerContext) => Promise<Json> | Json;

/** Decides whether a completed task's output is acceptable (tasks posted with `verify: true`). */
export type Verifier = (task: TaskView) => Promise<boolean | { ok: boolean; reason?: string }> | boolean | { ok: boolean; reason?: string };
