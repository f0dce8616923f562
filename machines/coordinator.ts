/**
 * @module The coordinator machine (the root of the supervision tree) and the assignment policy
 * it applies: which agent gets a task, and in which order queued tasks are served. Pure.
 */
import { assign, emit, setup } from 'xstate';
import { agentPriorityRank, type AgentPriority } from './types.js';

/** Priority boosts added to a task's base priority. */
export const deadlineBoost = 2;
export const blockingBoost = 2;

/** Effective priority = base + deadline modifier (due soon) + blocking modifier (others wait on it). */
export function effectivePriority(task: { priority: number; urgent: boolean; blocking: number }): number {
  return task.priority + (task.urgent ? deadlineBoost : 0) + (task.blocking > 0 ? blockingBoost : 0);
}

/** What the policy needs to know about an agent. */
export interface AgentCandidate {
  id: string;
  status: string;
  priority: AgentPriority;
  load: number;
  maxConcurrent: number;
  lastTaskAt: number;
  order: number;
}

/** An agent can take a task when it is idle or busy below its limit (not paused, errored or stopped). */
export function isAvailable(agent: AgentCandidate): boolean {
  return (agent.status === 'idle' || agent.status === 'busy') && agent.load < agent.maxConcurrent;
}

/**
 * Orders candidates best first: agent priority (high first), load (low first), last task time
 * (least recently used first), then registration order so that ties are deterministic.
 * @example candidates.filter(isAvailable).sort(compareAgents)[0]
 */
export function compareAgents(a: AgentCandidate, b: AgentCandidate): number {
  return agentPriorityRank[b.priority] - agentPriorityRank[a.priority] || a.load - b.load || a.lastTaskAt - b.lastTaskAt || a.order - b.order;
}

/** Picks the best available agent not in `excluded`, or undefined. */
export function pickAgent<T extends AgentCandidate>(candidates: Iterable<T>, excluded: readonly string[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) {
    if (!isAvailable(c) || excluded.includes(c.id)) continue;
    if (best === undefined || compareAgents(c, best) < 0) best = c;
  }
  return best;
}

export interface SupervisionDecision {
  agentId: string;
  action: 'reassign';
  taskIds: string[];
  reason: string;
  at: number;
}

export interface CoordinatorContext {
  decisions: number;
  lastDecision?: SupervisionDecision;
  haltReason?: string;
}

export type CoordinatorEvent =
  | { type: 'hive.escalate'; agentId: string; taskIds: string[]; reason: string; at: number }
  | { type: 'hive.halt'; reason: string; at: number };

/** The coordinator's decisions go out as messages: hand the failed agent's work back to the queue. */
export type CoordinatorEmitted = { type: 'effect.reassign'; taskIds: string[]; reason: string; failedAgent: string };

/**
 * The root actor. Agents escalate failures to it; it decides what happens to their work (reassign
 * to a capable backup, which resumes from the task's last checkpoint; suspend a task no capable
 * agent is left for). A store failure halts intake.
 */
export const coordinatorMachine = setup({
  types: {
    context: {} as CoordinatorContext,
    events: {} as CoordinatorEvent,
    emitted: {} as CoordinatorEmitted,
  },
}).createMachine({
  id: 'coordinator',
  context: { decisions: 0 },
  initial: 'running',
  states: {
    running: {
      on: {
        'hive.escalate': {
          actions: [
            assign(({ context, event }) => ({
              decisions: context.decisions + 1,
              lastDecision: { agentId: event.agentId, action: 'reassign' as const, taskIds: event.taskIds, reason: event.reason, at: event.at },
            })),
            // The kernel hands each task to a capable backup (it resumes from its checkpoint), or suspends it when there is none.
            emit(({ event }) => ({
              type: 'effect.reassign' as const,
              taskIds: event.taskIds,
              reason: `agent ${event.agentId} failed: ${event.reason}`,
              failedAgent: event.agentId,
            })),
          ],
        },
        'hive.halt': { target: 'halted', actions: assign({ haltReason: ({ event }) => event.reason }) },
      },
    },
    halted: {},
  },
});
