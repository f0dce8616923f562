import { describe, expect, it } from 'vitest';
import { dashboardModel, failedAttempts, type DashboardTask } from '../src/cli/dashboard/dashboardModel.js';
import { formatDuration, progressBar, renderDashboard } from '../src/cli/dashboard/renderDashboard.js';
import { buildPlan, buildTeam, phaseOf } from '../src/demo/buildTeam.js';
import type { AgentView } from '../src/views.js';

const now = 1_000_000;
const plan = buildPlan({ speed: 1 });

/** The demo's tasks part-way: the first `done` finished, the next two running, the rest waiting. */
function demoViews(done: number): { tasks: DashboardTask[]; agents: AgentView[] } {
  const tasks: DashboardTask[] = plan.map((p, i) => ({
    id: p.id,
    type: p.type,
    status: i < done ? 'completed' : i < done + 2 ? 'running' : 'pending',
    priority: p.priority === 'critical' ? 10 : p.priority === 'high' ? 5 : 0,
    input: null,
    attempts: i < done + 2 ? (i % 4 === 0 ? 2 : 1) : 0,
    redispatches: 0,
    dependsOn: p.dependsOn ?? [],
    verify: p.verify ?? false,
    maxRetries: 3,
    createdAt: now - 60_000,
    updatedAt: now,
    ...(i < done ? { finishedAt: now - (done - i) * 1000, startedAt: now - (done - i) * 1000 - 3000 } : {}),
    ...(i >= done && i < done + 2 ? { startedAt: now - 1000, progress: { pct: 40 }, assignedTo: 'builder-1' } : {}),
  }));
  const agents: AgentView[] = buildTeam.map((m, i) => ({
    id: m.spec.id,
    name: m.spec.name,
    status: i === 4 && plan[done] ? 'busy' : 'idle',
    capabilities: m.spec.capabilities,
    priority: m.spec.priority ?? 'normal',
    level: 1,
    load: i === 4 && plan[done] ? 1 : 0,
    maxConcurrent: m.spec.maxConcurrent ?? 1,
    tasks: i === 4 && plan[done] ? [plan[done]!.id] : [],
    succeeded: 0,
    failed: 0,
    restarts: 0,
    detached: false,
    createdAt: now - 60_000,
  }));
  return { tasks, agents };
}

const visible = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '');

describe('renderDashboard', () => {
  it('fits an 80x24 terminal (23 lines drawn) with agents, queue with ETAs and metrics', () => {
    const model = dashboardModel({ title: 'hivestate demo', now, ...demoViews(10), phaseOf: (t) => phaseOf(t.id) });
    for (const color of [false, true]) {
      const lines = renderDashboard(model, { width: 80, height: 23, color });
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const l of lines) expect(visible(l).length, l).toBeLessThanOrEqual(80);
      const text = lines.map(visible).join('\n');
      expect(text).toMatch(/elapsed 1:00\s+remaining ~\d+:\d\d/);
      expect(text).toMatch(/plan ██████ 2\/2/);
      expect(text).toMatch(/\nbuilder-1\s+build\s+busy\s+build:net\s+████░░░░░░ {2}40%/);
      expect(text).toMatch(/\nQUEUE \(19 waiting\)\s+PRI\s+TYPE\s+STATE\s+ETA/);
      expect(text).toMatch(/ready\s+~\d+:\d\d/);
      expect(text).toMatch(/… \d+ more queued/);
      expect(text).toMatch(/tasks 10\/31 done \(32%\)\s+running 2\s+success 100\.0%\s+throughput 10\.0\/min/);
      expect(text).toMatch(/errors 3 failed attempts/);
    }
  });

  it('shows more of the queue on a taller terminal and says when everything finished', () => {
    const model = dashboardModel({ title: 't', now, ...demoViews(10) });
    expect(renderDashboard(model, { width: 120, height: 50 }).filter((l) => /\s(ready|blocked)\s/.test(l)).length).toBe(19);
    const finished = dashboardModel({ title: 't', now, ...demoViews(31) });
    expect(finished.finished).toBe(true);
    const text = renderDashboard(finished, { width: 80, height: 23 }).join('\n');
    expect(text).toMatch(/\(empty: every task finished\)/);
    expect(text).toMatch(/tasks 31\/31 done \(100%\)[\s\S]*-- all tasks finished/);
    expect(text).toMatch(/remaining 0:00/);
  });

  it('formats durations, bars and failed attempts', () => {
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(progressBar(0.5, 10)).toBe('█████░░░░░');
    expect(progressBar(Number.NaN, 4)).toBe('░░░░');
    const base = demoViews(0).tasks[0]!;
    expect(failedAttempts({ ...base, status: 'completed', attempts: 3, redispatches: 1 })).toBe(1);
    expect(failedAttempts({ ...base, status: 'failed', attempts: 3, redispatches: 0 })).toBe(3);
    expect(failedAttempts({ ...base, status: 'retrying', attempts: 1, redispatches: 0 })).toBe(1);
  });
});
