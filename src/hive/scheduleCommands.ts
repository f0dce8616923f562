/**
 * @module scheduleCommands: `hive.schedule()` and friends. Each validates, journals one input and
 * answers with the schedule's view once it is applied. Scheduling an id again with the same
 * options journals nothing, so a program can declare its schedules on every start.
 */
import type { ScheduleContext } from '../../machines/schedule.js';
import { NotFoundError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { scheduleRecord } from '../schedule/scheduleRecord.js';
import { toScheduleView, type ScheduleView } from '../schedule/scheduleView.js';
import { checkId } from '../validate.js';

/** A schedule's view, or undefined when there is none (removed ones are gone once checkpointed). */
export function scheduleView(kernel: Kernel, id: string): ScheduleView | undefined {
  const stored = kernel.actorSnapshot(`schedule:${id}`);
  return stored && toScheduleView(stored.status, (stored.snapshot as { context: ScheduleContext }).context);
}

/**
 * Creates or updates a schedule.
 * @example await setSchedule(kernel, { id: 'nightly', cron: '0 3 * * *', task: { type: 'backup' } })
 */
export async function setSchedule(kernel: Kernel, options: unknown, assignmentFor?: (type: string) => 'direct' | 'auction' | undefined): Promise<ScheduleView> {
  const spec = scheduleRecord(options, assignmentFor);
  const existing = kernel.actorSnapshot(`schedule:${spec.id}`);
  const same =
    existing && existing.status !== 'removed' && JSON.stringify((existing.snapshot as { context: ScheduleContext }).context.spec) === JSON.stringify(spec);
  if (!same) await kernel.submit({ type: 'schedule.set', schedule: spec });
  return scheduleView(kernel, spec.id)!;
}

/**
 * Pauses, resumes or removes a schedule; a pause of a paused one (or a resume of an active one) changes nothing.
 * @example await scheduleCommand(kernel, 'schedule.pause', 'nightly')
 */
export async function scheduleCommand(kernel: Kernel, type: 'schedule.pause' | 'schedule.resume' | 'schedule.remove', id: string): Promise<ScheduleView> {
  checkId('scheduleId', id);
  const view = scheduleView(kernel, id);
  if (!view || view.status === 'removed') throw new NotFoundError('schedule', id);
  const noop = (type === 'schedule.pause' && view.status === 'paused') || (type === 'schedule.resume' && view.status === 'active');
  if (!noop) await kernel.submit({ type, scheduleId: id });
  return scheduleView(kernel, id)!;
}

/** Every schedule that is not removed, by id. */
export function listSchedules(kernel: Kernel): ScheduleView[] {
  return kernel
    .idsOf('schedule')
    .map((id) => scheduleView(kernel, id))
    .filter((v): v is ScheduleView => v !== undefined && v.status !== 'removed')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
