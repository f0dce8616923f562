/**
 * @module requestBid: one auction question to one worker over NATS request/reply, and what its
 * answer (or silence) means: a price, an abstention with the reason, or no bid at all when the
 * window closed first.
 */
import { RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { RemoteBidAnswer } from '../effects/Bidders.js';
import { isHiveError } from '../errors.js';
import { parseBody, readBidReply } from './protocol.js';

/**
 * Sends `data` (a bid request) on `subject` and waits at most `timeoutMs` for the worker's answer.
 * @example await requestBid({ nc, subject: 'hive.bid.w1', data, timeoutMs: 500, maxPayload, logger, agentId: 'w1' }) // { price: 2 }
 */
export async function requestBid(o: {
  nc: NatsConnection;
  subject: string;
  data: string;
  timeoutMs: number;
  maxPayload: number;
  logger: Logger;
  agentId: string;
}): Promise<RemoteBidAnswer> {
  const bytes = Buffer.byteLength(o.data);
  if (bytes > o.maxPayload) return { abstain: `the task takes ${bytes} bytes; NATS carries at most ${o.maxPayload} per message (max_payload)` };
  try {
    const m = await o.nc.request(o.subject, o.data, { timeout: Math.max(1, Math.floor(o.timeoutMs)) });
    return readBidReply(parseBody('bid reply', m.data));
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders()) return { abstain: 'no bid function listens on its worker' };
    if (isHiveError(err)) return { abstain: `its worker's answer is unreadable (${err.message})` };
    if (!(err instanceof TimeoutError)) o.logger.debug({ err, agent: o.agentId }, 'asking a remote worker for its bid failed');
    return undefined; // no answer before the window closed: no bid
  }
}
