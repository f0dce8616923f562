/**
 * @module Bidders: the agents' bid functions, and asking them when an auction opens. In-process
 * agents' functions are called here; remote agents are asked through a pluggable `RemoteBids` (the
 * hive's NATS hub asks their worker). Each answer (a price, or null for an abstention, a refusal or
 * a bad price) is submitted as an `auction.bid` input, so the auction's outcome is in the journal
 * and replay needs no function; a remote agent that does not answer before the window closes has
 * no bid and nothing is submitted for it.
 */
import type { Logger } from 'pino';
import type { Input } from '../kernel/inputs.js';
import type { Bidder } from '../specs.js';
import { badPriceMessage, readPrice } from './bidPrice.js';
import { describeThrown } from './describeThrown.js';

/** The task as a bid function sees it. */
export type BidTask = Parameters<Bidder>[0];
/** The agent's record, as a bid function sees it. */
export type BidStats = Parameters<Bidder>[1];

/**
 * A remote agent's answer: its bid function's raw answer (checked here, as an in-process one is),
 * an abstention with the reason (its function threw, or its worker has none), or undefined when it
 * did not answer in time.
 */
export type RemoteBidAnswer = { price: unknown } | { abstain: string } | undefined;

/** Asks agents that run elsewhere (RemoteHub implements it). */
export interface RemoteBids {
  /** Whether the agent runs on a remote worker. */
  owns(agentId: string): boolean;
  /** Never rejects; resolves undefined when no answer came within `timeoutMs`. */
  askBid(req: { agentId: string; taskId: string; round: number; task: BidTask; stats: BidStats; timeoutMs: number }): Promise<RemoteBidAnswer>;
}

export interface BiddersDeps {
  submit(input: Input): Promise<unknown>;
  /** The task as a bidder sees it; undefined once it is gone. */
  task(id: string): { id: string; type: string; input: unknown; priority: number } | undefined;
  /** The agent's record so far, passed to its bid function. */
  stats(agentId: string): BidStats;
  /** When the task's open auction closes (host clock, ms); undefined when none is open. */
  closesAt(taskId: string): number | undefined;
  now(): number;
  logger: Logger;
}

interface Ask {
  taskId: string;
  round: number;
}

export class Bidders {
  private readonly fns = new Map<string, Bidder>();
  /** Asks for agents whose bid function is not attached yet (after a restart); answered on attach. */
  private readonly waiting = new Map<string, Ask[]>();
  /** Set once the hive's NATS link is open (before auctions open at recovery are asked again). */
  remote: RemoteBids | undefined;

  constructor(private readonly deps: BiddersDeps) {}

  /**
   * Sets an agent's bid function and answers the auctions that were waiting for it.
   * @example bidders.set('a1', (task) => 5)
   */
  set(agentId: string, fn: Bidder): void {
    this.fns.set(agentId, fn);
    const asks = this.waiting.get(agentId);
    this.waiting.delete(agentId);
    for (const a of asks ?? []) this.ask(agentId, a);
  }

  delete(agentId: string): void {
    this.fns.delete(agentId);
  }

  /** Whether the agent has a bid function here. */
  has(agentId: string): boolean {
    return this.fns.has(agentId);
  }

  /**
   * Asks every listed agent for its price in one auction round: in process when it has a bid
   * function here, else its remote worker, else later (when a function is attached).
   * @example bidders.askBids({ taskId: 't1', round: 1, agentIds: ['a1', 'a2'] })
   */
  askBids(req: { taskId: string; round: number; agentIds: string[] }): void {
    for (const agentId of req.agentIds) {
      if (this.fns.has(agentId) || this.remote?.owns(agentId)) this.ask(agentId, req);
      else {
        const list = this.waiting.get(agentId) ?? [];
        list.push({ taskId: req.taskId, round: req.round });
        this.waiting.set(agentId, list);
      }
    }
  }

  private ask(agentId: string, { taskId, round }: Ask): void {
    const task = this.deps.task(taskId);
    if (!task) return;
    const view = { id: task.id, type: task.type, input: task.input, priority: task.priority } as BidTask;
    const fn = this.fns.get(agentId);
    const answer = fn ? this.askHere(agentId, taskId, fn, view) : this.askRemote(agentId, taskId, round, view);
    void answer
      .then((price) => (price === undefined ? undefined : this.deps.submit({ type: 'auction.bid', taskId, round, agentId, price })))
      .catch(() => undefined); // the hive closed or the store failed; the auction's window still closes
  }

  private askHere(agentId: string, taskId: string, fn: Bidder, view: BidTask): Promise<number | null> {
    return Promise.resolve()
      .then(() => fn(view, this.deps.stats(agentId)))
      .then(
        (price) => this.price(agentId, taskId, price),
        (err: unknown) => {
          this.deps.logger.warn({ agent: agentId, task: taskId, err: describeThrown(err) }, 'bid function threw; counted as an abstention');
          return null;
        },
      );
  }

  /** Resolves undefined (nothing to submit) when the worker did not answer before the window closed. */
  private async askRemote(agentId: string, taskId: string, round: number, view: BidTask): Promise<number | null | undefined> {
    const closesAt = this.deps.closesAt(taskId);
    const timeoutMs = closesAt === undefined ? 0 : closesAt - this.deps.now();
    if (timeoutMs <= 0) return undefined;
    const answer = await this.remote!.askBid({ agentId, taskId, round, task: view, stats: this.deps.stats(agentId), timeoutMs });
    if (answer === undefined) {
      this.deps.logger.warn({ agent: agentId, task: taskId, windowMs: timeoutMs }, 'remote worker did not bid before the auction closed; it has no bid');
      return undefined;
    }
    if ('abstain' in answer) {
      this.deps.logger.warn({ agent: agentId, task: taskId, reason: answer.abstain }, 'remote bid counted as an abstention');
      return null;
    }
    return this.price(agentId, taskId, answer.price);
  }

  private price(agentId: string, taskId: string, value: unknown): number | null {
    const r = readPrice(value);
    if (r.ok) return r.price;
    this.deps.logger.warn({ agent: agentId, task: taskId, price: r.got }, badPriceMessage);
    return null;
  }
}
