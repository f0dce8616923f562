/** @module renderDashboard: lays a dashboard model out as text lines that fit a terminal (80x24 and up). */
import type { DashboardModel } from './dashboardModel.js';

export interface RenderOptions {
  width: number;
  height: number;
  /** ANSI colours. @default false */
  color?: boolean;
}

const ansi = { dim: '\x1b[2m', bold: '\x1b[1m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m', reset: '\x1b[0m' };
const statusColor: Record<string, string> = {
  idle: ansi.dim,
  busy: ansi.green,
  paused: ansi.yellow,
  error: ansi.red,
  stopped: ansi.dim,
  ready: ansi.cyan,
  blocked: ansi.dim,
  retry: ansi.yellow,
  waiting: ansi.red,
  assigned: ansi.green,
  verifying: ansi.green,
  suspended: ansi.red,
};

/** Formats milliseconds as m:ss (or h:mm:ss). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A progress bar of `width` cells for a fraction 0..1. */
export function progressBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

const fit = (text: string, width: number): string => (text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width));

/**
 * Renders the model as at most `height` lines of at most `width` visible characters.
 * @example process.stdout.write(renderDashboard(model, { width: 80, height: 24 }).join('\n'))
 */
export function renderDashboard(model: DashboardModel, o: RenderOptions): string[] {
  const width = Math.max(60, o.width);
  const height = Math.max(12, o.height);
  const paint = (code: string | undefined, text: string) => (o.color && code ? `${code}${text}${ansi.reset}` : text);
  const lines: string[] = [];

  const clock = `elapsed ${formatDuration(model.elapsedMs)}  remaining ${model.finished ? '0:00' : model.remainingMs === undefined ? '--' : `~${formatDuration(model.remainingMs)}`}`;
  lines.push(paint(ansi.bold, fit(model.title, width - clock.length - 1)) + ' ' + clock);
  if (model.note) lines.push(paint(ansi.dim, fit(model.note, width)));

  // Phases, wrapped onto at most two lines.
  const phaseCells = model.phases.map((p) => `${p.name} ${progressBar(p.total ? p.done / p.total : 0, 6)} ${p.done}/${p.total}`);
  const phaseLines: string[] = [];
  let current = '';
  for (const cell of phaseCells) {
    if (current && current.length + 2 + cell.length > width) {
      phaseLines.push(current);
      current = '';
    }
    current = current ? `${current}  ${cell}` : cell;
  }
  if (current) phaseLines.push(current);
  if (phaseLines.length > 2) phaseLines[1] = fit(phaseLines.slice(1).join('  '), width);
  lines.push(...phaseLines.slice(0, 2).map((l) => fit(l, width)));

  // Metrics footer, reserved first so that it always shows.
  const pct = model.total ? Math.floor((model.done / model.total) * 100) : 0;
  const footer = [
    fit(
      `tasks ${model.done}/${model.total} done (${pct}%)  running ${model.running}  success ${model.successRate === undefined ? '--' : `${(model.successRate * 100).toFixed(1)}%`}  throughput ${model.throughputPerMin.toFixed(1)}/min`,
      width,
    ),
    fit(`errors ${model.errors} failed attempts  ${model.failed} tasks failed${model.finished ? '  -- all tasks finished' : ''}`, width),
  ];

  // Agents and queue share what is left; the queue gets at least 3 rows when it has any.
  const nameW = 14;
  const roleW = 12;
  const statusW = 8;
  const barW = 10;
  const taskW = Math.max(12, width - nameW - roleW - statusW - barW - 4 - 6);
  const space = height - lines.length - footer.length - 2; // two section headers
  const queueWanted = Math.min(model.queue.length, 3);
  const agentRows = Math.min(model.agents.length, Math.max(1, space - Math.max(queueWanted, 1)));
  const queueRows = Math.max(0, space - agentRows);

  lines.push(paint(ansi.bold, fit(`${'AGENTS'.padEnd(nameW)}${'ROLE'.padEnd(roleW)}${'STATUS'.padEnd(statusW)}${'TASK'.padEnd(taskW)}  PROGRESS`, width)));
  const agents = model.agents.length > agentRows ? model.agents.slice(0, agentRows - 1) : model.agents;
  for (const a of agents) {
    const progress = a.pct === undefined ? '' : `${progressBar(a.pct / 100, barW)} ${String(Math.round(a.pct)).padStart(3)}%`;
    lines.push(
      `${fit(a.name, nameW - 1)} ${fit(a.role, roleW - 1)} ${paint(statusColor[a.status], fit(a.status, statusW - 1))} ${fit(a.task ?? '-', taskW)}  ${progress}`.trimEnd(),
    );
  }
  if (agents.length < model.agents.length) lines.push(paint(ansi.dim, `… ${model.agents.length - agents.length} more agents`));

  const waiting = model.queue.length;
  lines.push(paint(ansi.bold, fit(`${`QUEUE (${waiting} waiting)`.padEnd(30)}${'PRI'.padStart(4)}  ${'TYPE'.padEnd(12)}${'STATE'.padEnd(10)}ETA`, width)));
  const shown = waiting > queueRows ? model.queue.slice(0, Math.max(0, queueRows - 1)) : model.queue;
  for (const q of shown) {
    const eta = q.note !== undefined ? paint(ansi.red, q.note) : q.etaMs === undefined ? '--' : `~${formatDuration(q.etaMs)}`;
    lines.push(`${fit(q.id, 29)} ${String(q.priority).padStart(4)}  ${fit(q.type, 11)} ${paint(statusColor[q.state], fit(q.state, 9))} ${eta}`);
  }
  if (shown.length < waiting && queueRows > 0) lines.push(paint(ansi.dim, `… ${waiting - shown.length} more queued`));
  if (waiting === 0 && queueRows > 0) lines.push(paint(ansi.dim, model.finished ? '(empty: every task finished)' : '(empty)'));

  lines.push(...footer.map((f, i) => (i === 1 && model.errors > 0 ? paint(ansi.yellow, f) : f)));
  return lines.slice(0, height);
}
