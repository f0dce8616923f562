/** @module scheduleView: the public view of a schedule, derived from its actor snapshot. */
import type { ScheduleContext, ScheduleTaskTemplate } from '../../machines/schedule.js';

export interface ScheduleView {
  id: string;
  /** 'active', 'paused', or 'removed' (as `removeSchedule` answers). */
  status: 'active' | 'paused' | 'removed';
  every?: number;
  cron?: string;
  timezone?: string;
  overlap: 'skip' | 'queue';
  task: ScheduleTaskTemplate;
  /** The next slot (epoch ms); absent while paused. */
  nextAt?: number;
  lastSlot?: number;
  /** The task the last posting slot created (`<id>@<slot ISO time>`). */
  lastTaskId?: string;
  /** Slots that posted a task, and slots skipped (`overlap: 'skip'` while the previous task ran). */
  fired: number;
  skipped: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * The view of a schedule snapshot.
 * @example toScheduleView('active', snap.context).nextAt
 */
export function toScheduleView(status: string, c: ScheduleContext): ScheduleView {
  const { spec } = c;
  const view: ScheduleView = {
    id: spec.id,
    status: status as ScheduleView['status'],
    overlap: spec.overlap,
    task: spec.task,
    fired: c.fired,
    skipped: c.skipped,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
  if (spec.every !== undefined) view.every = spec.every;
  if (spec.cron !== undefined) view.cron = spec.cron;
  if (spec.timezone !== undefined) view.timezone = spec.timezone;
  if (c.nextAt !== undefined) view.nextAt = c.nextAt;
  if (c.lastSlot !== undefined) view.lastSlot = c.lastSlot;
  if (c.lastTaskId !== undefined) view.lastTaskId = c.lastTaskId;
  return view;
}
