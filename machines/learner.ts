/**
 * @module The learner machine: per agent and task type, bids made and won, attempts succeeded and
 * failed, time spent. One singleton actor (`learner`), fed by the kernel when an auction closes and
 * when an attempt ends; checkpointed like any actor, so recovery and replay see the same figures.
 */
import { assign, setup } from 'xstate';

/** Counters for one agent (overall, or on one task type). */
export interface Tally {
  bids: number;
  wins: number;
  succeeded: number;
  failed: number;
  /** Sum of the durations of the attempts counted in succeeded + failed. */
  totalDurationMs: number;
}

/**
 * Kept as lists, not records keyed by id: agent ids and task types are user strings, and names such
 * as `constructor` or `__proto__` must neither find Object.prototype members nor change when stored.
 */
export interface TypeTally extends Tally {
  taskType: string;
}

export interface AgentTally extends Tally {
  agentId: string;
  byType: TypeTally[];
}

export interface LearnerContext {
  agents: AgentTally[];
}

type At = { at: number };
export type LearnerEvent =
  | ({ type: 'learn.auction'; taskType: string; bidders: string[]; winner?: string } & At)
  | ({ type: 'learn.attempt'; agentId: string; taskType: string; ok: boolean; durationMs: number } & At);

const zero = (): Tally => ({ bids: 0, wins: 0, succeeded: 0, failed: 0, totalDurationMs: 0 });

/**
 * One agent's tally from the learner's figures.
 * @example tallyOf(context.agents, 'a1')?.wins
 */
export function tallyOf(agents: readonly AgentTally[], agentId: string): AgentTally | undefined {
  return agents.find((a) => a.agentId === agentId);
}

/** Adds `delta` to an agent's overall and per-type counters; returns a new list (the other agents shared). */
function bump(agents: AgentTally[], agentId: string, taskType: string, delta: Partial<Tally>): AgentTally[] {
  const at = agents.findIndex((a) => a.agentId === agentId);
  const cur: AgentTally = at >= 0 ? agents[at]! : { agentId, ...zero(), byType: [] };
  const add = <T extends Tally>(t: T): T => ({
    ...t,
    bids: t.bids + (delta.bids ?? 0),
    wins: t.wins + (delta.wins ?? 0),
    succeeded: t.succeeded + (delta.succeeded ?? 0),
    failed: t.failed + (delta.failed ?? 0),
    totalDurationMs: t.totalDurationMs + (delta.totalDurationMs ?? 0),
  });
  const ti = cur.byType.findIndex((t) => t.taskType === taskType);
  const byType = [...cur.byType];
  if (ti >= 0) byType[ti] = add(byType[ti]!);
  else byType.push(add({ taskType, ...zero() }));
  const next: AgentTally = { ...add(cur), byType };
  const out = [...agents];
  if (at >= 0) out[at] = next;
  else out.push(next);
  return out;
}

/**
 * Laplace-smoothed success rate: (succeeded + 1) / (attempts + 2), so an agent with no history
 * scores 0.5 rather than 0 or 1.
 * @example successRate({ succeeded: 3, failed: 1 }) // 0.666...
 */
export function successRate(t: Pick<Tally, 'succeeded' | 'failed'> | undefined): number {
  return ((t?.succeeded ?? 0) + 1) / ((t?.succeeded ?? 0) + (t?.failed ?? 0) + 2);
}

export const learnerMachine = setup({
  types: {
    context: {} as LearnerContext,
    events: {} as LearnerEvent,
  },
}).createMachine({
  id: 'learner',
  context: { agents: [] },
  initial: 'learning',
  states: {
    learning: {
      on: {
        'learn.auction': {
          actions: assign(({ context, event }) => {
            let agents = context.agents;
            for (const id of event.bidders) agents = bump(agents, id, event.taskType, { bids: 1, wins: id === event.winner ? 1 : 0 });
            return { agents };
          }),
        },
        'learn.attempt': {
          actions: assign(({ context, event }) => ({
            agents: bump(
              context.agents,
              event.agentId,
              event.taskType,
              event.ok ? { succeeded: 1, totalDurationMs: event.durationMs } : { failed: 1, totalDurationMs: event.durationMs },
            ),
          })),
        },
      },
    },
  },
});
