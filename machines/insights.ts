/**
 * @module The insights machine: one singleton actor (`insights`) that counts predictions made when
 * tasks are posted and scores them when the tasks end, keeps per task type the durations seen and
 * recent arrivals and endings (for "queue grows faster than it drains"). Pure: time from `event.at`.
 */
import { assign, setup } from 'xstate';

/** What was predicted for a task when it was posted (kept in its spec). */
export interface Prediction {
  /** The agent expected to run it; null when no agent could be named. */
  agentId: string | null;
  /** Expected duration of its attempt (ms); null without history for its type. */
  durationMs: number | null;
}

/** Arrivals and endings of one task type in one time bucket. */
export interface Bucket {
  start: number;
  posted: number;
  ended: number;
}

export interface TypeFigures {
  taskType: string;
  /** Completed attempts measured, and their total duration. */
  completed: number;
  totalDurationMs: number;
  /** The agent that completed the last task of this type. */
  lastAgent?: string;
  /** Oldest first; only those inside `insightsWindowMs` of the latest event are kept. */
  buckets: Bucket[];
}

/**
 * Kept as lists, not records keyed by user strings (a task type named `__proto__` must be a key
 * like any other), like the learner's tallies.
 */
export interface InsightsContext {
  enabled: boolean;
  made: number;
  scored: number;
  /** Scored predictions that named an agent and whose task ran on one. */
  winnerScored: number;
  winnerHits: number;
  /** Scored predictions with a duration, whose task completed. */
  durationScored: number;
  /** Sum of |predicted - actual| / actual * 100 over `durationScored`. */
  durationErrorPctSum: number;
  types: TypeFigures[];
}

type At = { at: number };
export type InsightsEvent =
  | ({ type: 'insights.set'; enabled: boolean } & At)
  /** `count` tasks of a type were posted (and predicted) by one input. */
  | ({ type: 'insights.posted'; taskType: string; count: number } & At)
  | ({
      type: 'insights.ended';
      taskType: string;
      prediction?: Prediction;
      /** The agent that ran its last attempt (absent when none ran). */
      agentId?: string;
      /** Duration of its last attempt when it completed. */
      durationMs?: number;
    } & At);

/** How far back "recent" arrivals and endings reach. */
export const insightsWindowMs = 60_000;
/** Width of one bucket of arrivals and endings. */
export const insightsBucketMs = 10_000;

/**
 * The error of a duration prediction in percent of the actual duration (at least 1 ms, so an
 * instant attempt does not divide by zero).
 * @example durationErrorPct(120, 100) // 20
 */
export function durationErrorPct(predicted: number, actual: number): number {
  return (Math.abs(predicted - actual) / Math.max(1, actual)) * 100;
}

/** Counts one arrival or ending in the type's current bucket; drops buckets out of the window. */
function count(
  types: readonly TypeFigures[],
  taskType: string,
  at: number,
  change: (t: TypeFigures) => Partial<TypeFigures>,
  field?: 'posted' | 'ended',
  n = 1,
): TypeFigures[] {
  const i = types.findIndex((t) => t.taskType === taskType);
  const cur: TypeFigures = i >= 0 ? types[i]! : { taskType, completed: 0, totalDurationMs: 0, buckets: [] };
  let buckets = cur.buckets;
  if (field) {
    const start = at - (at % insightsBucketMs);
    buckets = buckets.filter((b) => b.start > at - insightsWindowMs - insightsBucketMs);
    const last = buckets.at(-1);
    if (last && last.start === start) buckets = [...buckets.slice(0, -1), { ...last, [field]: last[field] + n }];
    else buckets = [...buckets, { start, posted: field === 'posted' ? n : 0, ended: field === 'ended' ? n : 0 }];
  }
  const next: TypeFigures = { ...cur, ...change(cur), buckets };
  const out = [...types];
  if (i >= 0) out[i] = next;
  else out.push(next);
  return out;
}

export const initialInsights = (): InsightsContext => ({
  enabled: true,
  made: 0,
  scored: 0,
  winnerScored: 0,
  winnerHits: 0,
  durationScored: 0,
  durationErrorPctSum: 0,
  types: [],
});

type Ev<T extends InsightsEvent['type']> = Extract<InsightsEvent, { type: T }>;

export const insightsMachine = setup({
  types: {
    context: {} as InsightsContext,
    events: {} as InsightsEvent,
  },
}).createMachine({
  id: 'insights',
  context: initialInsights,
  initial: 'on',
  states: {
    on: {
      on: {
        'insights.set': { guard: ({ event }) => !event.enabled, target: 'off', actions: assign({ enabled: false }) },
        'insights.posted': {
          actions: assign(({ context, event }) => ({
            made: context.made + event.count,
            types: count(context.types, event.taskType, event.at, () => ({}), 'posted', event.count),
          })),
        },
        'insights.ended': {
          actions: assign(({ context, event }) => {
            const e = event as Ev<'insights.ended'>;
            const p = e.prediction;
            const out: Partial<InsightsContext> = {
              types: count(
                context.types,
                e.taskType,
                e.at,
                (t) =>
                  e.durationMs === undefined
                    ? {}
                    : {
                        completed: t.completed + 1,
                        totalDurationMs: t.totalDurationMs + e.durationMs,
                        ...(e.agentId !== undefined ? { lastAgent: e.agentId } : {}),
                      },
                'ended',
              ),
            };
            if (!p) return out;
            out.scored = context.scored + 1;
            if (p.agentId !== null && e.agentId !== undefined) {
              out.winnerScored = context.winnerScored + 1;
              out.winnerHits = context.winnerHits + (p.agentId === e.agentId ? 1 : 0);
            }
            if (p.durationMs !== null && e.durationMs !== undefined) {
              out.durationScored = context.durationScored + 1;
              out.durationErrorPctSum = context.durationErrorPctSum + durationErrorPct(p.durationMs, e.durationMs);
            }
            return out;
          }),
        },
      },
    },
    // Switched off (`createHive({ insights: false })`): nothing is counted until it is switched on again.
    off: {
      on: {
        'insights.set': { guard: ({ event }) => event.enabled, target: 'on', actions: assign({ enabled: true }) },
      },
    },
  },
});
