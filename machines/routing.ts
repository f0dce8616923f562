/**
 * @module Routing records: what an auction decided, derived from its context alone (candidates
 * with their price, learned success rate and score; the recommendation; the winner; why).
 */
import { pickWinner, type AuctionContext } from './auction.js';

export interface RoutingCandidate {
  agentId: string;
  /** Its bid; absent when it abstained or did not answer. */
  price?: number;
  /** successRate / (1 + price); 0 without a price. */
  score: number;
  /** Learned success rate on this task type when the auction opened (Laplace-smoothed). */
  successRate: number;
}

export interface RoutingDecision {
  at: number;
  taskId: string;
  round: number;
  strategy: 'auction';
  candidates: RoutingCandidate[];
  /** The best score (ties: the direct rule's order); null when nobody bid. */
  recommended: string | null;
  /** The lowest price (ties: the direct rule's order); null when nobody bid. */
  winner: string | null;
  reason: string;
  /** The winner is not the recommended agent. */
  differs: boolean;
}

/**
 * The decision of a closed auction round; undefined while it is open.
 * @example routingDecision(ctx)?.winner // 'a2'
 */
export function routingDecision(c: AuctionContext): RoutingDecision | undefined {
  if (c.closedAt === undefined) return undefined;
  const candidates = c.eligible.map((agentId, i): RoutingCandidate => {
    const bid = c.bids.find((b) => b.agentId === agentId);
    const successRate = c.successRates[i] ?? 0.5;
    return bid?.price == null ? { agentId, score: 0, successRate } : { agentId, price: bid.price, score: successRate / (1 + bid.price), successRate };
  });
  let recommended: RoutingCandidate | undefined;
  for (const cand of candidates) if (cand.price !== undefined && (!recommended || cand.score > recommended.score)) recommended = cand;
  const w = pickWinner(c.eligible, c.bids);
  const priced = candidates.filter((x) => x.price !== undefined);
  const tied = w ? priced.filter((x) => x.price === w.price).length : 0;
  const reason = !w
    ? `no bids from ${c.eligible.length} asked (${c.onNoBids === 'fail' ? 'task failed: no_bids' : 'task waits for a new capable agent'})`
    : tied > 1
      ? `lowest price ${w.price} tied by ${tied} agents; the direct rule ranks ${w.agentId} first`
      : `lowest price ${w.price} of ${priced.length} bid${priced.length === 1 ? '' : 's'}`;
  const winner = w?.agentId ?? null;
  const rec = recommended?.agentId ?? null;
  return { at: c.closedAt, taskId: c.taskId, round: c.round, strategy: 'auction', candidates, recommended: rec, winner, reason, differs: winner !== rec };
}
