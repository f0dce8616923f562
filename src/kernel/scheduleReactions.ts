/**
 * @module scheduleReactions: the kernel's answers to a schedule's requests. It finds the next slot
 * (cron or `every`, see nextSlot) and, when a slot fires, posts its task with the slot time in its
 * id (`<schedule>@<ISO time>`), so one slot can never post twice. With `overlap: 'skip'` the slot
 * is skipped while the schedule's previous task is unfinished. Slots missed while the process was
 * down are not caught up one by one: the overdue slot fires once, then the next slot after now.
 */
import type { Address } from '../../machines/address.js';
import type { ScheduleContext, ScheduleMessage } from '../../machines/schedule.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { nextSlot } from '../schedule/nextSlot.js';
import { createTask, orderOf } from './applyInput.js';
import type { KernelCore } from './KernelCore.js';

/**
 * The id of the task a schedule posts for a slot.
 * @example slotTaskId('nightly', Date.UTC(2025, 0, 1, 3)) // 'nightly@2025-01-01T03:00:00.000Z'
 */
export const slotTaskId = (scheduleId: string, slot: number): string => `${scheduleId}@${new Date(slot).toISOString()}`;

type Reaction<T extends ScheduleMessage['type']> = (core: KernelCore, from: Address, e: Extract<ScheduleMessage, { type: T }>) => void;

const contextOf = (core: KernelCore, id: string) => core.current('schedule', id)!.context as ScheduleContext;

export const scheduleReactions: { [T in ScheduleMessage['type']]: Reaction<T> } = {
  'effect.schedule.plan': (core, from, e) => {
    const next = nextSlot(contextOf(core, e.scheduleId).spec, e.after);
    core.deliver(from, { type: 'hive.schedule.planned', nextAt: next ?? null, at: core.at }, 'kernel');
  },
  'effect.schedule.fire': (core, from, e) => {
    const c = contextOf(core, e.scheduleId);
    const previous = c.lastTaskId === undefined ? undefined : core.taskStatus(c.lastTaskId);
    const busy = previous !== undefined && !isTerminalTaskStatus(previous);
    const taskId = slotTaskId(c.spec.id, e.slot);
    let posted: string | undefined;
    if (!(busy && c.spec.overlap === 'skip') && core.taskStatus(taskId) === undefined) {
      createTask(core, { ...c.spec.task, id: taskId, dependsOn: [] }, orderOf(core.seq, 0));
      posted = taskId;
    }
    const next = nextSlot(c.spec, Math.max(e.slot, core.at));
    core.deliver(
      from,
      { type: 'hive.schedule.fired', slot: e.slot, nextAt: next ?? null, at: core.at, ...(posted !== undefined ? { taskId: posted } : {}) },
      'kernel',
    );
  },
};
