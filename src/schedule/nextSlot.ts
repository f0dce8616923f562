/**
 * @module nextSlot: when a schedule's next slot is, after a given time. `every` slots are the
 * multiples of `every` since the epoch; cron slots come from croner (evaluated in `timezone`,
 * UTC by default, never the host's local zone: the same journal must give the same slots on
 * any machine).
 */
import { Cron } from 'croner';
import type { ScheduleSpec } from '../../machines/schedule.js';

const crons = new Map<string, Cron>();

/** A parsed cron pattern (kept: schedules ask for their next slot on every firing). */
export function cronFor(pattern: string, timezone: string): Cron {
  const key = `${timezone} ${pattern}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(pattern, { timezone, mode: '5-or-6-parts' });
    if (crons.size > 1000) crons.clear();
    crons.set(key, cron);
  }
  return cron;
}

/**
 * The first slot strictly after `after` (epoch ms), or undefined when the pattern has none left.
 * @example nextSlot({ every: 60_000 }, Date.UTC(2025, 0, 1, 10, 0, 30)) // Date.UTC(2025, 0, 1, 10, 1)
 */
export function nextSlot(spec: Pick<ScheduleSpec, 'every' | 'cron' | 'timezone'>, after: number): number | undefined {
  if (spec.every !== undefined) return Math.floor(after / spec.every) * spec.every + spec.every;
  const next = cronFor(spec.cron!, spec.timezone ?? 'UTC').nextRun(new Date(after));
  return next ? next.getTime() : undefined;
}
