/**
 * @module sessionReport: `hive.report()`, the session's status as the build-orchestration spec
 * describes it: phases with progress, agents active / idle / error, tasks by status, elapsed and
 * estimated remaining time, and a health verdict with the issues behind it. Read-only.
 */
import type { AgentContext } from '../../machines/agent.js';
import type { SessionContext } from '../../machines/session.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import type { Kernel } from '../kernel/Kernel.js';

export type SessionHealth = 'HEALTHY' | 'DEGRADED' | 'CRITICAL';

export interface PhaseReport {
  name: string;
  /** Tasks of the phase that finished (any final status). */
  done: number;
  total: number;
  /** `done` as a whole percentage of `total`. */
  pct: number;
}

export interface SessionReport {
  /** Phases in the order their first task was posted. */
  phases: PhaseReport[];
  /** `active`: busy agents; `paused` and `stopped` besides the three the spec names. */
  agents: { active: number; idle: number; error: number; paused: number; stopped: number };
  /** Tasks by status. */
  tasks: Record<string, number>;
  /** Since the session started (its first task with a phase or its `queueLimit`; without either, the first journaled input). */
  elapsedMs: number;
  /**
   * Estimated time left: unfinished tasks at the rate tasks have finished so far; 0 when none is
   * unfinished; null while none has finished (no rate yet).
   */
  remainingMs: number | null;
  /** CRITICAL: work cannot go on (suspended tasks, no available agent, intake halted); DEGRADED: it goes on with problems. */
  health: SessionHealth;
  /** One sentence per problem, the critical ones first. */
  issues: string[];
}

/** How many agents or tasks to name in one issue before "and N more". */
const named = 5;
const list = (ids: string[]) => ids.slice(0, named).join(', ') + (ids.length > named ? ` and ${ids.length - named} more` : '');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Builds the report from the kernel's state at `now` (host clock).
 * @example sessionReport(kernel, Date.now()).health // 'HEALTHY'
 */
export function sessionReport(kernel: Kernel, now: number): SessionReport {
  const session = kernel.actorState('session', '') as { status: string; context: SessionContext } | undefined;
  const s = session?.context;
  const phases = (s?.order ?? []).map((name) => {
    const p = s!.phases[name]!;
    return { name, done: p.done, total: p.total, pct: p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total) };
  });
  const status = kernel.status();
  const agents = {
    active: status.agents.busy ?? 0,
    idle: status.agents.idle ?? 0,
    error: status.agents.error ?? 0,
    paused: status.agents.paused ?? 0,
    stopped: status.agents.stopped ?? 0,
  };
  const tasks = { ...status.tasks };
  let finished = 0;
  let open = 0;
  for (const [st, n] of Object.entries(tasks)) {
    if (isTerminalTaskStatus(st)) finished += n;
    else open += n;
  }
  const startedAt = s?.startedAt ?? kernel.firstInputAt() ?? now;
  const endedAt = s?.completedAt !== undefined && open === 0 ? s.completedAt : now;
  const elapsedMs = Math.max(0, endedAt - startedAt);
  const remainingMs = open === 0 ? 0 : finished === 0 ? null : Math.round((open * elapsedMs) / finished);
  const { critical, degraded } = findIssues(kernel, agents, tasks, open);
  const health: SessionHealth = critical.length > 0 ? 'CRITICAL' : degraded.length > 0 ? 'DEGRADED' : 'HEALTHY';
  return { phases, agents, tasks, elapsedMs, remainingMs, health, issues: [...critical, ...degraded] };
}

function findIssues(kernel: Kernel, agents: SessionReport['agents'], tasks: Record<string, number>, open: number) {
  const critical: string[] = [];
  const degraded: string[] = [];
  const halt = kernel.haltReason();
  if (halt !== undefined) critical.push(`intake is halted after a store failure: ${halt}`);
  const suspended = tasks.suspended ?? 0;
  if (suspended > 0) critical.push(`${plural(suspended, 'task')} suspended: their agent failed and no capable agent is available`);
  if (open > 0 && agents.active + agents.idle === 0) critical.push(`no agent is available for ${plural(open, 'unfinished task')}`);
  const failing: string[] = [];
  for (const id of kernel.idsOf('agent')) {
    const a = kernel.actorState('agent', id)!;
    if (a.status === 'error') failing.push(`${id} (${(a.context as AgentContext).errorReason ?? 'error'})`);
  }
  if (failing.length > 0) degraded.push(`${plural(failing.length, 'agent')} in error: ${list(failing)}`);
  const pressure = kernel.queuePressure();
  if (pressure.over) degraded.push(`pending queue over its limit: ${pressure.queued} queued, queueLimit ${pressure.limit}`);
  const overdue = kernel.overdueTasks();
  const unassignable = kernel.unassignableByType();
  if (overdue.length > 0) degraded.push(`${plural(overdue.length, 'task')} still waiting on dependencies past their deadline: ${list(overdue)}`);
  for (const [type, n] of unassignable) degraded.push(`${plural(n, 'queued task')} of type ${type} can be taken by no agent`);
  const failed = (tasks.failed ?? 0) + (tasks.timed_out ?? 0) + (tasks.rejected ?? 0);
  if (failed > 0) degraded.push(`${plural(failed, 'task')} ended without success (failed, timed out or rejected)`);
  return { critical, degraded };
}
