/** @module messageViews: the public view of a typed envelope and its delivery state, derived from a message actor. */
import type { MessageContext, MessageType } from '../../machines/message.js';
import type { Json, TaskError } from '../../machines/types.js';

/** A typed envelope as its receiver's `onMessage` gets it. `metadata.retryCount`: deliveries before this one. */
export interface MessageEnvelope {
  id: string;
  /** When it was sent (epoch ms, the journaled time of the send). */
  at: number;
  type: MessageType;
  from: string;
  to: string;
  payload: Json;
  metadata: { correlationId?: string; phase?: string; retryCount: number };
  /** The channel, for the copies `broadcast` made. */
  channel?: string;
}

/**
 * `delivering`: handed to the receiver, waiting for its acknowledgement; `delivered`: handed over
 * (a type that needs no acknowledgement); `acknowledged`; `undeliverable`: unacknowledged after
 * `maxDeliveries`, or its receiver is unknown or stopped.
 */
export type MessageState = 'delivering' | 'delivered' | 'acknowledged' | 'undeliverable';

export interface MessageView extends MessageEnvelope {
  delivery: {
    state: MessageState;
    /** COMMAND, TASK_ASSIGN and HANDOFF need an acknowledgement (the receiver's `onMessage` resolving). */
    needsAck: boolean;
    /** Deliveries made so far. */
    deliveries: number;
    /** Of those, lost because the process died before an acknowledgement (not counted toward `maxDeliveries`). */
    lost: number;
    maxDeliveries: number;
    ackTimeoutMs: number;
    acknowledgedAt?: number;
    finishedAt?: number;
    /** Why it is undeliverable. */
    reason?: string;
    /** What `onMessage` threw on the last failed delivery. */
    lastError?: TaskError;
  };
}

/**
 * A message actor's public view.
 * @example toMessageView('acknowledged', snap.context).delivery.deliveries
 */
export function toMessageView(status: string, c: MessageContext): MessageView {
  const s = c.spec;
  const metadata: MessageEnvelope['metadata'] = { ...s.metadata, retryCount: Math.max(0, c.deliveries - 1) };
  const v: MessageView = {
    id: s.id,
    at: s.sentAt,
    type: s.type,
    from: s.from,
    to: s.to,
    payload: s.payload,
    metadata,
    delivery: {
      state: status as MessageState,
      needsAck: c.needsAck,
      deliveries: c.deliveries,
      lost: c.lost,
      maxDeliveries: s.maxDeliveries,
      ackTimeoutMs: s.ackTimeoutMs,
    },
  };
  if (s.channel !== undefined) v.channel = s.channel;
  if (c.acknowledgedAt !== undefined) v.delivery.acknowledgedAt = c.acknowledgedAt;
  if (c.finishedAt !== undefined) v.delivery.finishedAt = c.finishedAt;
  if (c.reason !== undefined) v.delivery.reason = c.reason;
  if (c.lastError !== undefined) v.delivery.lastError = c.lastError;
  return v;
}
