/**
 * @module marketQueries: the routing history and the learner's figures, read from the auction and
 * learner actors (in memory, else as last checkpointed). Nothing here is stored twice: both are
 * derived from journaled facts by the kernel and kept in actor snapshots, so recovery and replay
 * give the same answers.
 */
import type { AuctionContext } from '../../machines/auction.js';
import { auctionAddress } from '../../machines/address.js';
import { successRate, tallyOf, type LearnerContext, type Tally } from '../../machines/learner.js';
import { routingDecision, type RoutingDecision } from '../../machines/routing.js';
import type { Kernel } from '../kernel/Kernel.js';
import type { HiveStore } from '../store/HiveStore.js';
import { checkId, checkInt, checkKeys } from '../validate.js';

export type { RoutingCandidate, RoutingDecision } from '../../machines/routing.js';

/** One agent's figures on a task type (or overall). `successRate` is Laplace-smoothed: (succeeded + 1) / (attempts + 2). */
export interface TypeStats {
  bids: number;
  wins: number;
  succeeded: number;
  failed: number;
  successRate: number;
  meanDurationMs: number;
}

export interface AgentStats extends TypeStats {
  byType: Record<string, TypeStats>;
}

const statsOf = (t: Tally): TypeStats => {
  const attempts = t.succeeded + t.failed;
  return {
    bids: t.bids,
    wins: t.wins,
    succeeded: t.succeeded,
    failed: t.failed,
    successRate: successRate(t),
    meanDurationMs: attempts === 0 ? 0 : t.totalDurationMs / attempts,
  };
};

/**
 * The learner's figures for one agent (zeros when it has none yet).
 * @example agentStatsOf(kernel, 'a1').byType.build?.wins
 */
export function agentStatsOf(kernel: Kernel, agentId: string): AgentStats {
  const learner = (kernel.actorSnapshot('learner')?.snapshot as { context: LearnerContext } | undefined)?.context;
  const a = learner ? tallyOf(learner.agents, agentId) : undefined;
  if (!a) return { ...statsOf({ bids: 0, wins: 0, succeeded: 0, failed: 0, totalDurationMs: 0 }), byType: {} };
  // fromEntries defines own properties: a task type named `__proto__` is a key like any other.
  const byType: Record<string, TypeStats> = Object.fromEntries(a.byType.map((t) => [t.taskType, statsOf(t)]));
  return { ...statsOf(a), byType };
}

/**
 * When the task's auction round closes (host clock, ms), while one is open; undefined otherwise.
 * @example openAuctionClosesAt(kernel, 't1') // 1763800000500
 */
export function openAuctionClosesAt(kernel: Kernel, taskId: string): number | undefined {
  const a = kernel.actorSnapshot(auctionAddress(taskId))?.snapshot as { value: unknown; context: AuctionContext } | undefined;
  return a?.value === 'open' ? a.context.closesAt : undefined;
}

/**
 * Routing decisions, newest first: every closed auction round (of one task, or of all).
 * @example routingDecisionsOf(kernel, store, { taskId: 't1' })[0]?.winner
 */
export function routingDecisionsOf(kernel: Kernel, store: HiveStore, options: unknown = {}): RoutingDecision[] {
  const o = checkKeys('routingDecisions', options, ['taskId', 'limit']);
  const limit = o.limit === undefined ? 100 : checkInt('limit', o.limit, 1, 100_000);
  const contexts: AuctionContext[] = [];
  if (o.taskId !== undefined) {
    const snap = kernel.actorSnapshot(`auction:${checkId('taskId', o.taskId)}`)?.snapshot as { context: AuctionContext } | undefined;
    if (snap) contexts.push(snap.context);
  } else {
    const byAddress = new Map<string, AuctionContext>();
    for (const [addr, actor] of store.actorsOfKind('auction')) byAddress.set(addr, (actor.snapshot as { context: AuctionContext }).context);
    for (const [addr, actor] of kernel.hostedOfKind('auction')) byAddress.set(addr, (actor.snapshot as { context: AuctionContext }).context);
    contexts.push(...byAddress.values());
  }
  const out: RoutingDecision[] = [];
  for (const c of contexts) {
    out.push(...c.earlier);
    const d = routingDecision(c);
    if (d) out.push(d);
  }
  return out.sort((a, b) => b.at - a.at || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : b.round - a.round)).slice(0, limit);
}
