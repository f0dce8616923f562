/** @module dashboardModel: turns agent and task views into what the text dashboard shows (pure, no I/O). */
import { isTerminalTaskStatus } from '../../../machines/types.js';
import type { AgentView, TaskView } from '../../views.js';

/** A task as the dashboard reads it: the public view plus when its current attempt started, if known. */
export type DashboardTask = TaskView & { startedAt?: number };

export interface DashboardSource {
  title: string;
  now: number;
  agents: AgentView[];
  /** Every task in scope (the demo: all of its tasks; an attached hive: unfinished plus recent finished). */
  tasks: DashboardTask[];
  /** Counts of all tasks by status, when `tasks` is only a sample; default: counted from `tasks`. */
  counts?: Record<string, number>;
  /** Groups tasks into phases for the phase bar (default: by task type). */
  phaseOf?: (task: DashboardTask) => string;
  /** Role label shown next to an agent (default: its capabilities). */
  roleOf?: (agent: AgentView) => string;
  /** Expected run time of a task type before any has finished (ETA estimates start from it). */
  expectedMs?: (type: string) => number | undefined;
  /** One line under the title (e.g. how fresh a read-only view is). */
  note?: string;
  /** Elapsed time to show (the demo: time its runs have run); default: since the oldest task was posted. */
  elapsedMs?: number;
}

export interface AgentRow {
  id: string;
  name: string;
  role: string;
  status: string;
  task?: string;
  pct?: number;
}

export interface QueueRow {
  id: string;
  type: string;
  priority: number;
  /** 'ready', 'blocked', 'retry', 'assigned', 'verifying', 'waiting' (no agent can take it) */
  state: string;
  etaMs?: number;
  /** Why a waiting task cannot be assigned: 'no capable agent' or 'no handler attached'. */
  note?: string;
}

export interface DashboardModel {
  title: string;
  note?: string;
  elapsedMs: number;
  remainingMs?: number;
  phases: Array<{ name: string; done: number; total: number }>;
  agents: AgentRow[];
  queue: QueueRow[];
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  running: number;
  successRate?: number;
  throughputPerMin: number;
  errors: number;
  finished: boolean;
}

const okStatuses = new Set(['completed', 'verified']);
/** States in which the current attempt has not failed (yet). */
const attemptAlive = new Set(['assigned', 'running', 'verifying', 'completed', 'verified']);

/** Failed attempts of a task, read from its counters (re-dispatches after a crash are not failures). */
export function failedAttempts(t: TaskView): number {
  return Math.max(0, t.attempts - t.redispatches - (attemptAlive.has(t.status) ? 1 : 0));
}

/**
 * Computes the dashboard's rows and metrics.
 * @example const model = dashboardModel({ title: 'demo', now: Date.now(), agents, tasks })
 */
export function dashboardModel(src: DashboardSource): DashboardModel {
  const { tasks, now } = src;
  const counts = src.counts ?? countByStatus(tasks);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  let succeeded = 0;
  let failed = 0;
  for (const [status, n] of Object.entries(counts)) {
    if (okStatuses.has(status)) succeeded += n;
    else if (isTerminalTaskStatus(status)) failed += n;
  }
  const done = succeeded + failed;
  const running = (counts.running ?? 0) + (counts.assigned ?? 0) + (counts.verifying ?? 0);
  const startedAt = tasks.reduce((m, t) => Math.min(m, t.createdAt), now);
  const elapsedMs = src.elapsedMs ?? Math.max(0, now - startedAt);

  // Throughput over the last minute of finishes (or since the start when shorter).
  const windowMs = Math.min(60_000, Math.max(elapsedMs, 1));
  const recent = tasks.filter((t) => t.finishedAt !== undefined && now - t.finishedAt <= windowMs).length;
  const throughputPerMin = (recent / windowMs) * 60_000;
  const remaining = total - done;
  const remainingMs = remaining === 0 ? 0 : throughputPerMin > 0 ? (remaining / throughputPerMin) * 60_000 : undefined;

  const byId = new Map(tasks.map((t) => [t.id, t]));
  const phaseOf = src.phaseOf ?? ((t: DashboardTask) => t.type);
  const phases = new Map<string, { name: string; done: number; total: number }>();
  for (const t of [...tasks].sort((a, b) => a.createdAt - b.createdAt)) {
    const name = phaseOf(t);
    const p = phases.get(name) ?? { name, done: 0, total: 0 };
    p.total++;
    if (isTerminalTaskStatus(t.status)) p.done++;
    phases.set(name, p);
  }

  const avgMs = averageDurations(tasks);
  const roleOf = src.roleOf ?? ((a: AgentView) => a.capabilities.join(','));
  const agents: AgentRow[] = src.agents.map((a) => {
    const current = a.tasks.map((id) => byId.get(id)).find((t) => t !== undefined);
    // A remote agent's role says where it runs: `build@host`.
    const row: AgentRow = { id: a.id, name: a.name, role: a.remote ? `${roleOf(a)}@${a.remote.host}` : roleOf(a), status: a.status };
    if (a.tasks.length > 0) row.task = a.tasks.length > 1 ? `${a.tasks[0]} +${a.tasks.length - 1}` : a.tasks[0]!;
    if (current) row.pct = current.progress?.pct ?? 0;
    return row;
  });

  const capable = (type: string) =>
    Math.max(
      1,
      src.agents.filter((a) => a.capabilities.includes(type) && a.status !== 'stopped' && a.status !== 'paused').reduce((n, a) => n + a.maxConcurrent, 0),
    );
  const unfinished = tasks
    .filter((t) => !isTerminalTaskStatus(t.status))
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  // Expected finish of each unfinished task (ms from now): its dependencies' finish, its wait behind
  // same-type tasks ahead of it in priority order, then its own mean run time.
  const rankByType = new Map<string, number>();
  const rank = new Map<string, number>();
  for (const t of unfinished) {
    if (t.status === 'running' || t.status === 'assigned' || t.status === 'verifying') continue;
    const r = rankByType.get(t.type) ?? 0;
    rankByType.set(t.type, r + 1);
    rank.set(t.id, r);
  }
  const finishEta = new Map<string, number | undefined>();
  const etaOf = (t: DashboardTask, depth = 0): number | undefined => {
    if (isTerminalTaskStatus(t.status)) return 0;
    if ((t.status === 'pending' && t.waitingFor !== undefined) || t.status === 'suspended') return undefined; // no agent can take it: no estimate
    if (finishEta.has(t.id)) return finishEta.get(t.id);
    const avg = avgMs.get(t.type) ?? src.expectedMs?.(t.type) ?? avgMs.get('*');
    let eta: number | undefined;
    if (avg !== undefined && depth < 50) {
      if (t.status === 'running' || t.status === 'assigned' || t.status === 'verifying') eta = avg * (1 - (t.progress?.pct ?? 0) / 100);
      else {
        const waitUntil = t.status === 'retrying' ? t.retryAt : t.status === 'delayed' ? t.runAt : undefined;
        let deps = waitUntil !== undefined ? Math.max(0, waitUntil - now) : 0;
        for (const d of t.dependsOn) {
          const dep = byId.get(d);
          const e = dep === undefined ? 0 : etaOf(dep, depth + 1);
          if (e === undefined) return undefined;
          deps = Math.max(deps, e);
        }
        eta = deps + Math.floor((rank.get(t.id) ?? 0) / capable(t.type)) * avg + avg;
      }
    }
    finishEta.set(t.id, eta);
    return eta;
  };
  const queue: QueueRow[] = unfinished
    .filter((t) => t.status !== 'running')
    .map((t) => {
      const blocked = t.dependsOn.some((d) => {
        const dep = byId.get(d);
        return dep !== undefined && !isTerminalTaskStatus(dep.status);
      });
      const stuck = t.status === 'pending' ? t.waitingFor : undefined;
      const state = t.status === 'retrying' ? 'retry' : t.status === 'pending' ? (stuck ? 'waiting' : blocked ? 'blocked' : 'ready') : t.status;
      const row: QueueRow = { id: t.id, type: t.type, priority: t.priority, state };
      if (stuck) row.note = stuck === 'capability' ? 'no capable agent' : 'no handler attached';
      if (t.status === 'suspended') row.note = 'agent failed, no capable backup';
      const eta = etaOf(t);
      if (eta !== undefined) row.etaMs = eta;
      return row;
    })
    // Tasks no agent can take come first: they wait for someone to act.
    .sort((a, b) => Number(b.note !== undefined) - Number(a.note !== undefined) || (a.etaMs ?? Infinity) - (b.etaMs ?? Infinity) || b.priority - a.priority);

  const model: DashboardModel = {
    title: src.title,
    elapsedMs,
    phases: [...phases.values()],
    agents,
    queue,
    total,
    done,
    succeeded,
    failed,
    running,
    throughputPerMin,
    errors: tasks.reduce((n, t) => n + failedAttempts(t), 0),
    finished: total > 0 && done === total,
  };
  if (src.note !== undefined) model.note = src.note;
  if (remainingMs !== undefined) model.remainingMs = remainingMs;
  if (done > 0) model.successRate = succeeded / done;
  return model;
}

function countByStatus(tasks: TaskView[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tasks) out[t.status] = (out[t.status] ?? 0) + 1;
  return out;
}

/** Mean run time of finished attempts by task type ('*': all types), from startedAt to finishedAt. */
function averageDurations(tasks: DashboardTask[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const t of tasks) {
    if (t.finishedAt === undefined || t.startedAt === undefined || !okStatuses.has(t.status)) continue;
    for (const key of [t.type, '*']) {
      const s = sums.get(key) ?? { sum: 0, n: 0 };
      s.sum += Math.max(0, t.finishedAt - t.startedAt);
      s.n++;
      sums.set(key, s);
    }
  }
  return new Map([...sums].map(([k, s]) => [k, s.sum / s.n]));
}
