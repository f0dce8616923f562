/** @module Public views of tasks and agents, derived from actor snapshots. */
import type { AgentContext } from '../machines/agent.js';
import type { TaskContext } from '../machines/task.js';
import type { RemoteWorkerContext } from '../machines/remoteWorker.js';
import type { AgentPriority, AgentStatus, Json, TaskError, TaskStatus } from '../machines/types.js';

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
  /** Of those, how many were re-dispatched because the process died while they ran. */
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
  createdAt: number;
  updatedAt: number;
  /** When the current (or last) attempt started. */
  startedAt?: number;
  finishedAt?: number;
  retryAt?: number;
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
  createdAt: number;
  /** Set when the agent runs on a remote worker (NATS): where, and whether its worker is there. */
  remote?: RemoteInfo;
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

export function toTaskView(status: string, c: TaskContext): TaskView {
  const s = c.spec;
  return defined({
    id: s.id,
    type: s.type,
    status: status as TaskStatus,
    priority: s.priority,
    input: s.input,
    output: c.output,
    error: c.error,
    attempts: c.attempt,
    redispatches: c.redispatches,
    assignedTo: c.assignedTo,
    dependsOn: s.dependsOn,
    owner: s.owner,
    progress: c.progress,
    checkpoint: c.checkpoint,
    verify: s.verify,
    maxRetries: s.maxRetries,
    timeoutMs: s.timeoutMs,
    deadline: s.deadline,
    idempotencyKey: s.idempotencyKey,
    createdAt: s.createdAt,
    updatedAt: c.updatedAt,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    retryAt: c.retryAt,
  });
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
    createdAt: c.createdAt,
    remote: worker && { host: worker.context.host, pid: worker.context.pid, status: worker.status as RemoteInfo['status'], joinedAt: worker.context.joinedAt },
  });
}
