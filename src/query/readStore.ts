/**
 * @module readStore: a read-only view of a hive's data directory (status, agents, tasks) computed
 * from the stored actor snapshots. It takes no lock, so it works while another process runs the hive.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentContext } from '../../machines/agent.js';
import type { TaskContext } from '../../machines/task.js';
import type { RemoteWorkerContext } from '../../machines/remoteWorker.js';
import { isTerminalTaskStatus, type AgentStatus, type TaskStatus } from '../../machines/types.js';
import { NotFoundError, StoreError } from '../errors.js';
import { HiveStore } from '../store/HiveStore.js';
import { toAgentView, toTaskView, type AgentView, type CountsByStatus, type TaskView } from '../views.js';

/** A task as the read side shows it (the public view, read from the stored snapshot). */
export type StoredTaskView = TaskView;

/** What `status` shows for a directory opened read-only. */
export interface StoredStatus {
  agents: CountsByStatus<AgentStatus>;
  tasks: CountsByStatus<TaskStatus>;
  /** Journal position of the last checkpoint: the views reflect the hive as of this input. */
  checkpointSeq: number;
  /** When that checkpoint was written (epoch ms), 0 when none was. */
  checkpointAt: number;
  /** Last journaled input; `lastSeq - checkpointSeq` inputs are not reflected yet. */
  lastSeq: number;
  /** Pid of the process writing the directory, when one holds its lock. */
  writerPid?: number;
}

export interface ReadStore {
  status(): StoredStatus;
  agents(): AgentView[];
  /** Tasks newest first, optionally of one status or type, up to `limit`. */
  tasks(filter?: { status?: string; type?: string; limit?: number }): StoredTaskView[];
  /** Every task not yet terminal (oldest first). */
  unfinishedTasks(): StoredTaskView[];
  task(id: string): StoredTaskView;
  close(): Promise<void>;
}

/**
 * Opens a data directory read-only. Views lag the running hive by up to one checkpoint
 * (default: 1 s or 1000 inputs). Throws NotFoundError-like StoreError when there is no hive there.
 * @example const view = openReadStore('./.hivestate'); console.log(view.status()); await view.close()
 */
export function openReadStore(dir: string): ReadStore {
  if (!existsSync(join(dir, 'hive.lmdb'))) throw new StoreError(`no hive in ${dir} (no hive.lmdb there); pass --data-dir to point at one`);
  const store = HiveStore.open(dir, { readOnly: true });
  const taskView = (status: string, snapshot: unknown): StoredTaskView => toTaskView(status, (snapshot as { context: TaskContext }).context);
  const agents = (): AgentView[] => {
    const out: AgentView[] = [];
    for (const [address, actor] of store.liveActors()) {
      if (actor.kind !== 'agent' || !address.startsWith('agent:')) continue;
      const context = (actor.snapshot as { context: AgentContext }).context;
      const worker = store.getActor(`remote:${context.id}`);
      out.push(toAgentView(actor.status, context, worker && { status: worker.status, context: (worker.snapshot as { context: RemoteWorkerContext }).context }));
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  };
  return {
    status() {
      const tasks = store.countTasksByStatus();
      const agentCounts: Record<string, number> = {};
      for (const a of agents()) agentCounts[a.status] = (agentCounts[a.status] ?? 0) + 1;
      const total = (r: Record<string, number>) => Object.values(r).reduce((x, y) => x + y, 0);
      const cp = store.checkpoint();
      const writerPid = lockHolder(dir);
      return {
        agents: { total: total(agentCounts), ...agentCounts },
        tasks: { total: total(tasks), ...tasks },
        checkpointSeq: cp?.seq ?? 0,
        checkpointAt: cp?.at ?? 0,
        lastSeq: store.lastSeq(),
        ...(writerPid !== undefined ? { writerPid } : {}),
      };
    },
    agents,
    tasks(filter = {}) {
      const limit = filter.limit ?? 100;
      const out: StoredTaskView[] = [];
      for (const { id } of store.taskIds(filter.status)) {
        if (out.length >= limit) break;
        const actor = store.getActor(`task:${id}`);
        if (!actor) continue;
        const view = taskView(actor.status, actor.snapshot);
        if (filter.type === undefined || view.type === filter.type) out.push(view);
      }
      return out;
    },
    unfinishedTasks() {
      const out: StoredTaskView[] = [];
      for (const [address, actor] of store.liveActors()) {
        if (actor.kind === 'task' && address.startsWith('task:') && !isTerminalTaskStatus(actor.status)) out.push(taskView(actor.status, actor.snapshot));
      }
      return out.sort((a, b) => a.createdAt - b.createdAt);
    },
    task(id) {
      const actor = store.getActor(`task:${id}`);
      if (!actor || actor.kind !== 'task') throw new NotFoundError('task', id, ' (as of the last checkpoint)');
      return taskView(actor.status, actor.snapshot);
    },
    close: () => store.close(),
  };
}

/**
 * The pid in the directory's lock file, when that process is alive (the directory's writer).
 * @example const pid = lockHolder('./.hivestate') // undefined when no hive is running there
 */
export function lockHolder(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dir, 'hive.lock'), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
