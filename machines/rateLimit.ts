/**
 * @module The rate-limit machine: how many tasks of one type started in the last `perMs` (a sliding
 * window of start times, at most `max` of them). Pure: start times come from `event.at`. When the
 * window is full it arms a durable timer for the moment the oldest start leaves it.
 */
import { assign, enqueueActions, setup } from 'xstate';
import { address } from './address.js';
import type { TimerRequest } from './types.js';

export interface RateLimitInput {
  taskType: string;
  max: number;
  perMs: number;
  at: number;
}

export interface RateLimitContext {
  taskType: string;
  max: number;
  perMs: number;
  /** Start times still inside the window, oldest first (at most `max`). */
  starts: number[];
  updatedAt: number;
}

type At = { at: number };
export type RateLimitEvent =
  | ({ type: 'hive.ratelimit.start' } & At)
  | ({ type: 'hive.ratelimit.reopen' } & At)
  | ({ type: 'ratelimit.set'; max: number; perMs: number } & At)
  | ({ type: 'ratelimit.remove' } & At);

export type RateLimitEmitted = TimerRequest;

/** Durable timer id of a type's rate limit (no other timer ends in `:ratelimit`). */
export const rateLimitTimer = (taskType: string) => `${taskType}:ratelimit`;

/** Starts of `c` still inside the window that ends at `at`. */
export function startsInWindow(c: Pick<RateLimitContext, 'starts' | 'perMs'>, at: number): number[] {
  let i = 0;
  while (i < c.starts.length && c.starts[i]! <= at - c.perMs) i++;
  return i === 0 ? c.starts : c.starts.slice(i);
}

/**
 * Whether one more task may start at `at`.
 * @example allowsStart({ max: 2, perMs: 1000, starts: [0, 10] }, 500) // false
 */
export function allowsStart(c: Pick<RateLimitContext, 'starts' | 'perMs' | 'max'>, at: number): boolean {
  return startsInWindow(c, at).length < c.max;
}

export const rateLimitMachine = setup({
  types: {
    context: {} as RateLimitContext,
    input: {} as RateLimitInput,
    events: {} as RateLimitEvent,
    emitted: {} as RateLimitEmitted,
  },
  actions: {
    /** When the window is full, wake the scheduler when its oldest start leaves it. */
    armIfFull: enqueueActions(({ context, enqueue }) => {
      if (context.starts.length < context.max) return;
      const due = context.starts[context.starts.length - context.max]! + context.perMs;
      enqueue.emit({
        type: 'effect.timer.set',
        timerId: rateLimitTimer(context.taskType),
        due,
        target: address('ratelimit', context.taskType),
        event: { type: 'hive.ratelimit.reopen' },
      });
    }),
  },
}).createMachine({
  id: 'ratelimit',
  context: ({ input }) => ({ taskType: input.taskType, max: input.max, perMs: input.perMs, starts: [], updatedAt: input.at }),
  initial: 'active',
  states: {
    active: {
      on: {
        'hive.ratelimit.start': {
          actions: [
            assign(({ context, event }) => ({ starts: [...startsInWindow(context, event.at), event.at].slice(-context.max), updatedAt: event.at })),
            'armIfFull',
          ],
        },
        // Still full: the timer fired for an older window (it was set again meanwhile); arm it again.
        'hive.ratelimit.reopen': {
          actions: [assign(({ context, event }) => ({ starts: startsInWindow(context, event.at), updatedAt: event.at })), 'armIfFull'],
        },
        'ratelimit.set': {
          actions: [
            assign(({ context, event }) => ({
              max: event.max,
              perMs: event.perMs,
              starts: startsInWindow({ starts: context.starts, perMs: event.perMs }, event.at).slice(-event.max),
              updatedAt: event.at,
            })),
            'armIfFull',
          ],
        },
        'ratelimit.remove': {
          target: 'removed',
          actions: [
            assign(({ event }) => ({ starts: [], updatedAt: event.at })),
            enqueueActions(({ context, enqueue }) => enqueue.emit({ type: 'effect.timer.cancel', timerId: rateLimitTimer(context.taskType) })),
          ],
        },
      },
    },
    removed: { type: 'final' },
  },
});
