/** @module Public views of tasks and agents, derived from actor snapshots. */
import type { Prediction } from '../machines/insights.js';
import type { AgentContext } from '../machines/agent.js';
import type { TaskContext } from '../machines/task.js';
import type { RemoteWorkerContext } from '../machines/remoteWorker.js';
import { isTerminalTaskStatus, type AgentPriority, type AgentStatus, type Json, type TaskError, type TaskStatus } from '../machines/types.js';
import { inheritedPriority } from './kernel/priorityInheritance.js';

export interface TaskView {
  id: string;
  type: string;
  status: TaskStatus;
  priority: number;
  input: Json;
  output?: Json;
  error?: TaskError;
  /** Attempts started so far (re-dispatches after a crash included). */
  attempts: number;
  /** Of those, how many were re-dispatched because the process died while they ran (or were suspended when their agent failed). */
  redispatches: number;
  assignedTo?: string;
  dependsOn: string[];
  owner?: string;
  progress?: { pct: number; note?: string };
  checkpoint?: Json;
  verify: boolean;
  maxRetries: number;
  timeoutMs?: number;
  deadline?: number;
  idempotencyKey?: string;
  /** The task whose handler posted it (`ctx.postTask`). */
  parentTaskId?: string;
  notify?: boolean;
  createdAt: number;
  updatedAt: number;
  /** When the current (or last) attempt started. */
  startedAt?: number;
  finishedAt?: number;
  retryAt?: number;
  /** A delayed task is not queued before this time (epoch ms). */
  runAt?: number;
  /** Signal values received so far, by name (`hive.signal`). */
  signals?: Record<string, Json>;
  /** While `waiting`: the signal its handler waits for, and until when (epoch ms) with a timeout. */
  waitingForSignal?: { name: string; until?: number };
  /** Signals whose wait timed out. */
  signalTimeouts?: string[];
  /**
   * Pending and ready, but no agent can take it whatever the load: 'capability' when no agent (not
   * stopped, not refused) has its type as a capability, 'handler' when some have but the process
   * holding the hive has no handler for them (they are `detached`). A `task.unassignable` event
   * announces it each time it becomes so.
   */
  waitingFor?: 'capability' | 'handler';
  /** The session phase it belongs to. */
  phase?: string;
  /**
   * The highest priority lent to it by higher-priority tasks that wait on it (priority
   * inheritance); it is served at this priority while they wait. Absent when none lends any.
   */
  inheritedPriority?: number;
  /** The last time it was escalated: its agent failed with no capable backup (`no_backup`), or it still waited on a dependency at its deadline (`dependency_deadline`). */
  escalation?: { code: 'no_backup' | 'dependency_deadline'; reason: string; at: number };
  /** What insights expected when it was posted: the agent to run it and its duration (see `hive.insights()`). */
  prediction?: Prediction;
}

/** Counts by status plus their total, as `status()` reports them. */
export type CountsByStatus<S extends string> = { total: number } & Partial<Record<S, number>>;

export interface AgentView {
  id: string;
  name: string;
  status: AgentStatus;
  capabilities: string[];
  priority: AgentPriority;
  level: 1 | 2 | 3;
  parentId?: string;
  owner?: string;
  load: number;
  maxConcurrent: number;
  tasks: string[];
  succeeded: number;
  failed: number;
  lastTaskAt?: number;
  errorReason?: string;
  /** Automatic restarts out of `error` since the agent last completed a task. */
  restarts: number;
  /**
   * True when the process that holds the hive has no handler for any of its capabilities (it was
   * spawned with `handler` by an earlier process, and there is no hive-wide handler for its types):
   * it gets no work until `attachHandler` (or `spawnAgent` again with `handler`).
   */
  detached: boolean;
  /** Capabilities it gets no work for because this process has no handler for them (when some do). */
  unhandled?: string[];
  createdAt: number;
  /** Set when the agent runs on a remote worker (NATS): where, and whether its worker is there. */
  remote?: RemoteInfo;
  /** Channels it is subscribed to (`hive.subscribe`); `'*'` takes every broadcast. */
  channels?: string[];
}

/** A remote agent's worker process: `online`, `away` (it left with `close()`) or `lost` (silent). */
export interface RemoteInfo {
  host: string;
  pid: number;
  status: 'online' | 'away' | 'lost';
  /** When the current worker process joined. */
  joinedAt: number;
}

const defined = <T extends object>(o: T): T => {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
};

/** The public view of a task (optional fields present only when set; built without `delete`, which is slow in V8). */
export function toTaskView(status: string, c: TaskContext): TaskView {
  const s = c.spec;
  const v: TaskView = {
    id: s.id,
    type: s.type,
    status: status as TaskStatus,
    priority: s.priority,
    input: s.input,
    attempts: c.attempt,
    redispatches: c.redispatches,
    dependsOn: s.dependsOn,
    verify: s.verify,
    maxRetries: s.maxRetries,
    createdAt: s.createdAt,
    updatedAt: c.updatedAt,
  };
  if (c.output !== undefined) v.output = c.output;
  if (c.error !== undefined) v.error = c.error;
  if (c.assignedTo !== undefined) v.assignedTo = c.assignedTo;
  if (s.owner !== undefined) v.owner = s.owner;
  if (c.progress !== undefined) v.progress = c.progress;
  if (c.checkpoint !== undefined) v.checkpoint = c.checkpoint;
  if (s.timeoutMs !== undefined) v.timeoutMs = s.timeoutMs;
  if (s.deadline !== undefined) v.deadline = s.deadline;
  if (s.idempotencyKey !== undefined) v.idempotencyKey = s.idempotencyKey;
  if (s.parentTaskId !== undefined) v.parentTaskId = s.parentTaskId;
  if (s.notify !== undefined) v.notify = s.notify;
  if (c.startedAt !== undefined) v.startedAt = c.startedAt;
  if (c.finishedAt !== undefined) v.finishedAt = c.finishedAt;
  if (c.retryAt !== undefined) v.retryAt = c.retryAt;
  if (s.runAt !== undefined) v.runAt = s.runAt;
  if (c.signals !== undefined) v.signals = c.signals;
  if (c.waitingForSignal !== undefined) v.waitingForSignal = c.waitingForSignal;
  if (c.signalTimeouts !== undefined) v.signalTimeouts = c.signalTimeouts;
  if (status === 'pending' && c.waitingFor !== undefined) v.waitingFor = c.waitingFor;
  if (s.phase !== undefined) v.phase = s.phase;
  const inherited = inheritedPriority(c);
  if (inherited !== undefined && !isTerminalTaskStatus(status)) v.inheritedPriority = inherited;
  if (c.escalation !== undefined) v.escalation = c.escalation;
  if (s.prediction !== undefined) v.prediction = s.prediction;
  return v;
}

export function toAgentView(status: string, c: AgentContext, worker?: { status: string; context: RemoteWorkerContext }): AgentView {
  return defined({
    id: c.id,
    name: c.name,
    status: status as AgentStatus,
    capabilities: c.capabilities,
    priority: c.priority,
    level: c.level,
    parentId: c.parentId,
    owner: c.owner,
    load: c.load,
    maxConcurrent: c.maxConcurrent,
    tasks: c.tasks,
    succeeded: c.succeeded,
    failed: c.failed,
    lastTaskAt: c.lastTaskAt || undefined,
    errorReason: c.errorReason,
    restarts: c.restarts ?? 0,
    detached: c.runnable !== undefined && c.runnable.length === 0,
    unhandled: c.runnable === undefined || c.runnable.length === 0 ? undefined : c.capabilities.filter((cap) => !c.runnable!.includes(cap)),
    createdAt: c.createdAt,
    channels: c.channels,
    remote: worker && { host: worker.context.host, pid: worker.context.pid, status: worker.status as RemoteInfo['status'], joinedAt: worker.context.joinedAt },
  });
}
