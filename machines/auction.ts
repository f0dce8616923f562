/**
 * @module The auction machine: one bidding round for one task (`auction:<taskId>`). Pure: time from
 * `event.at`; asking agents and closing the window are emitted as effects, never performed.
 */
import { assign, emit, setup } from 'xstate';
import { auctionAddress } from './address.js';
import type { RoutingDecision } from './routing.js';
import type { TimerRequest, WorkRequest } from './types.js';

export type NoBidsPolicy = 'fail' | 'queue';

/** One answer to the auction: a price, or null for an abstention. */
export interface Bid {
  agentId: string;
  price: number | null;
  at: number;
}

/** What the kernel passes when it opens an auction (eligible agents already in direct-rule order). */
export interface AuctionInput {
  taskId: string;
  taskType: string;
  round: number;
  /** Free capable agents when the auction opened, best first by the direct rule (breaks ties). */
  eligible: string[];
  /** Each eligible agent's learned success rate on this type when the auction opened (same order). */
  successRates: number[];
  /** Decisions of earlier rounds for this task (a round with no bids, an award the winner could not take). */
  earlier: RoutingDecision[];
  windowMs: number;
  onNoBids: NoBidsPolicy;
  /** Its order: from the input that opened this round (replay uses it to know whether it existed at a point). */
  order: number;
  at: number;
}

export interface AuctionContext extends Omit<AuctionInput, 'at'> {
  openedAt: number;
  closesAt: number;
  bids: Bid[];
  winner?: string;
  price?: number;
  closedAt?: number;
}

type At = { at: number };
export type AuctionEvent =
  | ({ type: 'auction.bid'; round: number; agentId: string; price: number | null } & At)
  | ({ type: 'hive.auction.close'; round: number } & At)
  /** Its task finished: the auction is done (an open round lapses). */
  | ({ type: 'hive.auction.end' } & At);

/** Messages the auction sends through the kernel when it closes. */
export type AuctionMessage =
  | { type: 'effect.auction.awarded'; taskId: string; round: number; agentId: string; price: number }
  | { type: 'effect.auction.unsold'; taskId: string; round: number; onNoBids: NoBidsPolicy };

export type AuctionNotification = {
  type: 'task.auction.opened' | 'task.auction.bid' | 'task.auction.awarded' | 'task.auction.unsold';
  taskId: string;
  at: number;
  round: number;
  agentId?: string;
  price?: number | null;
};

export type AuctionEmitted = TimerRequest | WorkRequest | AuctionMessage | AuctionNotification;

/** The timer that closes an auction's window (one per task: a new round replaces it). */
export const auctionTimer = (taskId: string) => `${taskId}:auction`;

/**
 * The lowest price wins; equal prices go to the agent the direct rule ranks first.
 * @example pickWinner(['a', 'b'], [{ agentId: 'b', price: 3, at: 0 }, { agentId: 'a', price: 3, at: 0 }]) // a
 */
export function pickWinner(eligible: readonly string[], bids: readonly Bid[]): Bid | undefined {
  let best: Bid | undefined;
  for (const b of bids) {
    if (b.price === null) continue;
    if (!best || b.price < best.price! || (b.price === best.price && eligible.indexOf(b.agentId) < eligible.indexOf(best.agentId))) best = b;
  }
  return best;
}

type Ev<T extends AuctionEvent['type']> = Extract<AuctionEvent, { type: T }>;

export const auctionMachine = setup({
  types: {
    context: {} as AuctionContext,
    input: {} as AuctionInput,
    events: {} as AuctionEvent,
    emitted: {} as AuctionEmitted,
  },
  guards: {
    // One answer per asked agent and round; late answers (an earlier round) are dropped.
    acceptable: ({ context, event }) => {
      const e = event as Ev<'auction.bid'>;
      return e.round === context.round && context.eligible.includes(e.agentId) && !context.bids.some((b) => b.agentId === e.agentId);
    },
    thisRound: ({ context, event }) => (event as Ev<'hive.auction.close'>).round === context.round,
  },
}).createMachine({
  id: 'auction',
  context: ({ input }) => ({
    taskId: input.taskId,
    taskType: input.taskType,
    round: input.round,
    eligible: input.eligible,
    successRates: input.successRates,
    earlier: input.earlier,
    windowMs: input.windowMs,
    onNoBids: input.onNoBids,
    order: input.order,
    openedAt: input.at,
    closesAt: input.at + input.windowMs,
    bids: [],
  }),
  initial: 'open',
  states: {
    open: {
      entry: [
        emit(({ context }) => ({
          type: 'effect.timer.set' as const,
          timerId: auctionTimer(context.taskId),
          due: context.closesAt,
          target: auctionAddress(context.taskId),
          event: { type: 'hive.auction.close' as const, round: context.round },
        })),
        emit(({ context }) => ({ type: 'task.auction.opened' as const, taskId: context.taskId, round: context.round, at: context.openedAt })),
        emit(({ context }) => ({ type: 'effect.auction.ask' as const, taskId: context.taskId, round: context.round, agentIds: context.eligible })),
      ],
      on: {
        'auction.bid': {
          guard: 'acceptable',
          actions: [
            assign(({ context, event }) => ({ bids: [...context.bids, { agentId: event.agentId, price: event.price, at: event.at }] })),
            emit(({ context, event }) => ({
              type: 'task.auction.bid' as const,
              taskId: context.taskId,
              round: context.round,
              agentId: event.agentId,
              price: event.price,
              at: event.at,
            })),
          ],
        },
        'hive.auction.close': [
          {
            guard: ({ context, event }) => event.round === context.round && pickWinner(context.eligible, context.bids) !== undefined,
            target: 'awarded',
            actions: assign(({ context, event }) => {
              const w = pickWinner(context.eligible, context.bids)!;
              return { winner: w.agentId, price: w.price!, closedAt: event.at };
            }),
          },
          { guard: 'thisRound', target: 'unsold', actions: assign(({ event }) => ({ closedAt: event.at })) },
        ],
        'hive.auction.end': 'done',
      },
      exit: emit(({ context }) => ({ type: 'effect.timer.cancel' as const, timerId: auctionTimer(context.taskId) })),
    },
    // Closed, but kept live until its task finishes: a later round (or a seek to a point before
    // the task ended) needs this round's record, and a live actor is in every seek point.
    awarded: {
      on: { 'hive.auction.end': 'done' },
      entry: [
        emit(({ context }) => ({
          type: 'effect.auction.awarded' as const,
          taskId: context.taskId,
          round: context.round,
          agentId: context.winner!,
          price: context.price!,
        })),
        emit(({ context }) => ({
          type: 'task.auction.awarded' as const,
          taskId: context.taskId,
          round: context.round,
          agentId: context.winner!,
          price: context.price!,
          at: context.closedAt!,
        })),
      ],
    },
    unsold: {
      on: { 'hive.auction.end': 'done' },
      entry: [
        emit(({ context }) => ({ type: 'effect.auction.unsold' as const, taskId: context.taskId, round: context.round, onNoBids: context.onNoBids })),
        emit(({ context }) => ({ type: 'task.auction.unsold' as const, taskId: context.taskId, round: context.round, at: context.closedAt! })),
      ],
    },
    done: { type: 'final' },
  },
});
