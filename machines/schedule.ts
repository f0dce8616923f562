/**
 * @module The schedule machine: one recurring task (`every` ms or a cron pattern), active or paused.
 * Pure: it never computes a cron time itself. It asks the kernel for its next slot
 * (`effect.schedule.plan`), keeps one durable timer for it, and on firing asks the kernel to post
 * the slot's task (`effect.schedule.fire`); the kernel answers with messages.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { address } from './address.js';
import type { Json, TimerRequest } from './types.js';

/** What a schedule posts each slot: a task spec without id, dependencies or times (validated). */
export interface ScheduleTaskTemplate {
  type: string;
  input: Json;
  priority: number;
  maxRetries: number;
  backoffMs: number;
  verify: boolean;
  timeoutMs?: number;
  owner?: string;
  /** Set when each slot's task is auctioned (explicitly, or by the hive's `assignment` for its type). */
  assign?: 'auction';
  auction?: { windowMs: number; onNoBids: 'fail' | 'queue' };
}

/** A schedule as journaled: exactly one of `every` and `cron`. */
export interface ScheduleSpec {
  id: string;
  /** Every this many ms, on multiples of it since the epoch. */
  every?: number;
  /** A cron pattern (5 or 6 fields), evaluated in `timezone`. */
  cron?: string;
  /** IANA time zone for `cron`. @default 'UTC' */
  timezone?: string;
  /** 'skip': a slot is skipped while the schedule's previous task is unfinished; 'queue': posted anyway. */
  overlap: 'skip' | 'queue';
  task: ScheduleTaskTemplate;
}

export interface ScheduleInput {
  spec: ScheduleSpec;
  at: number;
}

export interface ScheduleContext {
  spec: ScheduleSpec;
  /** The next slot the durable timer is armed for; undefined while paused or when none is left. */
  nextAt?: number;
  lastSlot?: number;
  lastTaskId?: string;
  /** Slots that posted a task, and slots skipped because the previous task was unfinished. */
  fired: number;
  skipped: number;
  createdAt: number;
  updatedAt: number;
}

type At = { at: number };
export type ScheduleEvent =
  | ({ type: 'hive.schedule.planned'; nextAt: number | null } & At)
  | ({ type: 'hive.schedule.fire'; slot: number } & At)
  | ({ type: 'hive.schedule.fired'; slot: number; taskId?: string; nextAt: number | null } & At)
  | ({ type: 'schedule.update'; spec: ScheduleSpec } & At)
  | ({ type: 'schedule.pause' } & At)
  | ({ type: 'schedule.resume' } & At)
  | ({ type: 'schedule.remove' } & At);

/** Requests to the kernel: find the first slot after `after`; post (or skip) the task of `slot`. */
export type ScheduleMessage =
  | { type: 'effect.schedule.plan'; scheduleId: string; after: number }
  | { type: 'effect.schedule.fire'; scheduleId: string; slot: number };

export type ScheduleNotification = {
  type: 'schedule.fired' | 'schedule.skipped';
  scheduleId: string;
  slot: number;
  at: number;
  taskId?: string;
  nextAt?: number;
};

export type ScheduleEmitted = ScheduleMessage | TimerRequest | ScheduleNotification;

type Ev<T extends ScheduleEvent['type']> = Extract<ScheduleEvent, { type: T }>;

/** Durable timer id of a schedule (no task or agent timer ends in `:schedule`). */
export const scheduleTimer = (id: string) => `${id}:schedule`;

export const scheduleMachine = setup({
  types: {
    context: {} as ScheduleContext,
    input: {} as ScheduleInput,
    events: {} as ScheduleEvent,
    emitted: {} as ScheduleEmitted,
  },
  actions: {
    // The time of the event that (re)started the schedule: transition actions run before entry actions.
    plan: emit(({ context }) => ({ type: 'effect.schedule.plan' as const, scheduleId: context.spec.id, after: context.updatedAt })),
    disarm: emit(({ context }) => ({ type: 'effect.timer.cancel' as const, timerId: scheduleTimer(context.spec.id) })),
    arm: enqueueActions(({ context, enqueue }) => {
      const slot = context.nextAt;
      if (slot === undefined) return;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: scheduleTimer(context.spec.id),
        due: slot,
        target: address('schedule', context.spec.id),
        event: { type: 'hive.schedule.fire', slot },
      });
    }),
  },
}).createMachine({
  id: 'schedule',
  context: ({ input }) => ({ spec: input.spec, fired: 0, skipped: 0, createdAt: input.at, updatedAt: input.at }),
  initial: 'active',
  on: {
    'schedule.remove': { target: '.removed', actions: assign(({ event }) => ({ nextAt: undefined, updatedAt: event.at })) },
  },
  states: {
    active: {
      entry: 'plan',
      exit: 'disarm',
      on: {
        'hive.schedule.planned': {
          actions: [assign(({ event }) => ({ nextAt: event.nextAt ?? undefined })), 'arm'],
        },
        // A timer id is reused for each slot: a firing journaled just as the timer was set again for
        // another slot (an update) consumed that timer, so it is armed again instead of firing early.
        'hive.schedule.fire': [
          {
            guard: ({ context, event }) => event.slot === context.nextAt,
            actions: emit(({ context, event }) => ({ type: 'effect.schedule.fire' as const, scheduleId: context.spec.id, slot: event.slot })),
          },
          { actions: 'arm' },
        ],
        'hive.schedule.fired': {
          actions: [
            assign(({ context, event }) => {
              const e = event as Ev<'hive.schedule.fired'>;
              const posted = e.taskId !== undefined;
              return {
                lastSlot: e.slot,
                lastTaskId: posted ? e.taskId : context.lastTaskId,
                fired: context.fired + (posted ? 1 : 0),
                skipped: context.skipped + (posted ? 0 : 1),
                nextAt: e.nextAt ?? undefined,
                updatedAt: e.at,
              };
            }),
            emit(({ context, event }): ScheduleNotification => {
              const e = event as Ev<'hive.schedule.fired'>;
              const n: ScheduleNotification = {
                type: e.taskId === undefined ? 'schedule.skipped' : 'schedule.fired',
                scheduleId: context.spec.id,
                slot: e.slot,
                at: e.at,
              };
              if (e.taskId !== undefined) n.taskId = e.taskId;
              if (e.nextAt !== null) n.nextAt = e.nextAt;
              return n;
            }),
            'arm',
          ],
        },
        'schedule.update': { target: 'active', reenter: true, actions: assign(({ event }) => ({ spec: event.spec, updatedAt: event.at })) },
        'schedule.pause': { target: 'paused', actions: assign(({ event }) => ({ nextAt: undefined, updatedAt: event.at })) },
      },
    },
    paused: {
      on: {
        'schedule.update': { actions: assign(({ event }) => ({ spec: event.spec, updatedAt: event.at })) },
        'schedule.resume': { target: 'active', actions: assign(({ event }) => ({ updatedAt: event.at })) },
      },
    },
    removed: { type: 'final' },
  },
});
