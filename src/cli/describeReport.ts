/** @module describeReport: the session report (`hive.report()`) as a few lines of text, for the CLI and the demo. */
import type { SessionReport } from '../hive/sessionReport.js';
import { formatDuration } from './dashboard/renderDashboard.js';

/**
 * Health and phases, then agents and times, then one line per issue.
 * @example process.stdout.write(`${describeReport(await hive.report())}\n`)
 */
export function describeReport(r: SessionReport): string {
  const phases = r.phases.map((p) => `${p.name} ${p.done}/${p.total} (${p.pct}%)`).join(', ') || 'none';
  const tasks =
    Object.entries(r.tasks)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ') || 'none';
  const remaining = r.remainingMs === null ? 'unknown' : formatDuration(r.remainingMs);
  return [
    `session report: ${r.health}; phases: ${phases}`,
    `  agents: ${r.agents.active} active, ${r.agents.idle} idle, ${r.agents.error} in error; tasks: ${tasks}`,
    `  elapsed ${formatDuration(r.elapsedMs)}, remaining ${remaining}`,
    ...r.issues.map((i) => `  issue: ${i}`),
  ].join('\n');
}
