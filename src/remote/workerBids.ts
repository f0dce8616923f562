/**
 * @module workerBids: a remote worker's side of auctions. It listens on its agent's bid subject,
 * calls the worker's `bid` function with the task and the agent's stats the hive sent, and answers
 * with the price, or with why it abstains (the function threw or answered no price). The hive
 * checks the answer again and journals it; an answer after the window closed is dropped by NATS.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { badPriceMessage, readPrice } from '../effects/bidPrice.js';
import { describeThrown } from '../effects/describeThrown.js';
import { isHiveError } from '../errors.js';
import type { Bidder } from '../specs.js';
import { parseBody, readBidRequest, type BidReply, type BidRequest } from './protocol.js';

/**
 * Subscribes `subject` and answers each auction's question with `bid`'s price.
 * @example const sub = answerBids(nc, subjects('hivestate').bid('w1'), (task) => 3, logger, () => true)
 */
export function answerBids(nc: NatsConnection, subject: string, bid: Bidder, logger: Logger, running: () => boolean): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      void answer(msg.data, bid, logger, running).then((reply) => {
        try {
          msg.respond(JSON.stringify(reply));
        } catch {
          // the connection is closing; the hive counts no bid
        }
      });
    },
  });
}

async function answer(data: Uint8Array, bid: Bidder, logger: Logger, running: () => boolean): Promise<BidReply> {
  let req: BidRequest;
  try {
    req = readBidRequest(parseBody('bid', data));
  } catch (err) {
    logger.error({ err }, 'an auction question this worker cannot read');
    return { ok: false, error: { code: isHiveError(err) ? err.code : 'invalid_input', message: (err as Error).message } };
  }
  // A closing worker takes no new work, so it does not bid for any.
  if (!running()) return { ok: true, price: null };
  let value: unknown;
  try {
    value = await bid(req.task, req.stats);
  } catch (err) {
    const thrown = describeThrown(err);
    logger.warn({ task: req.taskId, err: thrown }, 'bid function threw; counted as an abstention');
    return { ok: false, error: { code: 'bid_failed', message: `the bid function threw: ${thrown.message}` } };
  }
  const r = readPrice(value);
  if (r.ok) return { ok: true, price: r.price };
  logger.warn({ task: req.taskId, price: r.got }, badPriceMessage);
  return { ok: false, error: { code: 'bad_price', message: `the bid function answered ${r.got}; a price is a non-negative integer or null` } };
}
