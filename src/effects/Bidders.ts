/**
 * @module Bidders: the agents' in-process `bid` functions, and asking them when an auction opens.
 * Each answer (a price, or null for an abstention, a refusal or a bad price) is submitted as an
 * `auction.bid` input, so the auction's outcome is in the journal and replay needs no function.
 */
import type { Logger } from 'pino';
import type { Input } from '../kernel/inputs.js';
import type { Bidder } from '../specs.js';
import { describeThrown } from './describeThrown.js';

export interface BiddersDeps {
  submit(input: Input): Promise<unknown>;
  /** The task as a bidder sees it; undefined once it is gone. */
  task(id: string): { id: string; type: string; input: unknown; priority: number } | undefined;
  /** The agent's record so far, passed to its bid function. */
  stats(agentId: string): Parameters<Bidder>[1];
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
   * Asks every listed agent for its price in one auction round.
   * @example bidders.askBids({ taskId: 't1', round: 1, agentIds: ['a1', 'a2'] })
   */
  askBids(req: { taskId: string; round: number; agentIds: string[] }): void {
    for (const agentId of req.agentIds) {
      if (this.fns.has(agentId)) this.ask(agentId, req);
      else {
        const list = this.waiting.get(agentId) ?? [];
        list.push({ taskId: req.taskId, round: req.round });
        this.waiting.set(agentId, list);
      }
    }
  }

  private ask(agentId: string, { taskId, round }: Ask): void {
    const fn = this.fns.get(agentId)!;
    const task = this.deps.task(taskId);
    if (!task) return;
    const view = { id: task.id, type: task.type, input: task.input, priority: task.priority } as Parameters<Bidder>[0];
    void Promise.resolve()
      .then(() => fn(view, this.deps.stats(agentId)))
      .then(
        (price) => {
          if (price === null) return null;
          if (Number.isSafeInteger(price) && price >= 0) return price + 0; // -0 becomes 0, as the journal keeps it
          this.deps.logger.warn({ agent: agentId, task: taskId, price: String(price) }, 'bid must be a non-negative integer or null; counted as an abstention');
          return null;
        },
        (err: unknown) => {
          this.deps.logger.warn({ agent: agentId, task: taskId, err: describeThrown(err) }, 'bid function threw; counted as an abstention');
          return null;
        },
      )
      .then((price) => this.deps.submit({ type: 'auction.bid', taskId, round, agentId, price }))
      .catch(() => undefined); // the hive closed or the store failed; the auction's window still closes
  }
}
