/**
 * @module The message machine: one typed envelope from its send to `acknowledged`, `delivered` or
 * `undeliverable`. Pure: time comes from `event.at`. COMMAND, TASK_ASSIGN and HANDOFF need an
 * acknowledgement: each delivery arms a durable timer, and an unacknowledged message is delivered
 * again when it fires, up to `maxDeliveries`.
 */
import { assign, emit, setup } from 'xstate';
import { messageAddress } from './address.js';
import type { Json, TaskError, TimerRequest } from './types.js';

/** The envelope types, as the build-orchestration spec names them. */
export const messageTypes = ['COMMAND', 'STATUS', 'TASK_ASSIGN', 'TASK_COMPLETE', 'ERROR', 'HANDOFF', 'BROADCAST'] as const;
export type MessageType = (typeof messageTypes)[number];

/** Types whose handler must resolve (acknowledge) or the message is delivered again. */
export const ackedMessageTypes: readonly MessageType[] = ['COMMAND', 'TASK_ASSIGN', 'HANDOFF'];

export interface MessageMetadata {
  correlationId?: string;
  phase?: string;
}

/** What was sent: fixed for the message's life. */
export interface MessageSpec {
  id: string;
  type: MessageType;
  from: string;
  /** The receiving agent's id. */
  to: string;
  payload: Json;
  metadata: MessageMetadata;
  /** Set on the copies `broadcast` made: the channel they were broadcast on. */
  channel?: string;
  ackTimeoutMs: number;
  maxDeliveries: number;
}

export interface MessageInput extends MessageSpec {
  order: number;
  at: number;
  /** Set by the kernel when the receiver cannot get it at all (unknown or stopped): it is undeliverable at once. */
  unreachable?: string;
}

export interface MessageContext {
  spec: MessageSpec & { order: number; sentAt: number };
  needsAck: boolean;
  /** Deliveries made so far (the envelope's `metadata.retryCount` is this minus one). */
  deliveries: number;
  /** Of those, how many were lost because the process died before an acknowledgement (they do not count toward `maxDeliveries`). */
  lost: number;
  updatedAt: number;
  finishedAt?: number;
  acknowledgedAt?: number;
  /** Why it is undeliverable. */
  reason?: string;
  /** What the receiver's handler threw on its last failed delivery. */
  lastError?: TaskError;
}

type At = { at: number };
export type MessageEvent =
  | ({ type: 'message.ack'; delivery: number } & At)
  | ({ type: 'message.nack'; delivery: number; error: TaskError } & At)
  | ({ type: 'message.lost'; delivery: number } & At)
  | ({ type: 'hive.message.timeout'; delivery: number } & At)
  | ({ type: 'hive.message.unreachable'; reason: string } & At);

/** Asks the host to hand the envelope to the receiving agent's `onMessage` handler. */
export interface MessageRequest {
  type: 'effect.message.deliver';
  messageId: string;
  agentId: string;
  delivery: number;
}

export interface MessageNotification {
  type: 'message.undeliverable';
  messageId: string;
  messageType: MessageType;
  from: string;
  to: string;
  deliveries: number;
  reason: string;
  at: number;
  [key: string]: Json | undefined;
}

export type MessageEmitted = MessageRequest | TimerRequest | MessageNotification;

/** Durable timer id of a message's acknowledgement (no other timer ends in `:ack`). */
export const ackTimer = (messageId: string) => `${messageId}:ack`;
export { messageAddress };

/** Statuses after which a message changes no more. */
export const finishedMessageStatuses: readonly string[] = ['acknowledged', 'delivered', 'undeliverable'];

type Ev<T extends MessageEvent['type']> = Extract<MessageEvent, { type: T }>;
const current = (c: MessageContext, e: { delivery: number }) => e.delivery === c.deliveries;

export const messageMachine = setup({
  types: {
    context: {} as MessageContext,
    input: {} as MessageInput,
    events: {} as MessageEvent,
    emitted: {} as MessageEmitted,
  },
  guards: {
    unreachable: ({ context }) => context.reason !== undefined,
    needsAck: ({ context }) => context.needsAck,
    currentDelivery: ({ context, event }) => current(context, event as Ev<'message.lost'>),
    /** The timeout of the current delivery, with deliveries left. */
    redeliver: ({ context, event }) => current(context, event as Ev<'hive.message.timeout'>) && context.deliveries - context.lost < context.spec.maxDeliveries,
  },
  actions: {
    deliver: emit(({ context }) => ({
      type: 'effect.message.deliver' as const,
      messageId: context.spec.id,
      agentId: context.spec.to,
      delivery: context.deliveries,
    })),
    armAck: emit(({ context, event }) => ({
      type: 'effect.timer.set' as const,
      timerId: ackTimer(context.spec.id),
      // Entering the first state the event is XState's init (no `at`): the message's send time.
      due: ((event as { at?: number }).at ?? context.spec.sentAt) + context.spec.ackTimeoutMs,
      target: messageAddress(context.spec.id),
      event: { type: 'hive.message.timeout' as const, delivery: context.deliveries },
    })),
    disarmAck: emit(({ context }) => ({ type: 'effect.timer.cancel' as const, timerId: ackTimer(context.spec.id) })),
    giveUp: assign(({ context, event }) => {
      const e = event as Ev<'hive.message.timeout'> | Ev<'hive.message.unreachable'>;
      const reason =
        e.type === 'hive.message.unreachable'
          ? e.reason
          : `not acknowledged after ${context.deliveries - context.lost} deliveries of ${context.spec.ackTimeoutMs} ms each (maxDeliveries ${context.spec.maxDeliveries})`;
      return { reason, updatedAt: e.at, finishedAt: e.at };
    }),
  },
}).createMachine({
  id: 'message',
  context: ({ input }) => {
    const { at, order, unreachable, ...spec } = input;
    const c: MessageContext = {
      spec: { ...spec, order, sentAt: at },
      needsAck: ackedMessageTypes.includes(spec.type),
      deliveries: unreachable === undefined ? 1 : 0,
      lost: 0,
      updatedAt: at,
    };
    if (unreachable !== undefined) {
      c.reason = unreachable;
      c.finishedAt = at;
    } else if (!c.needsAck) c.finishedAt = at;
    return c;
  },
  initial: 'sent',
  states: {
    // Transient: where the message goes is known from its context at once.
    sent: {
      always: [{ guard: 'unreachable', target: 'undeliverable' }, { guard: 'needsAck', target: 'delivering' }, { target: 'delivered' }],
    },
    delivering: {
      entry: ['deliver', 'armAck'],
      on: {
        'message.ack': {
          target: 'acknowledged',
          actions: ['disarmAck', assign(({ event }) => ({ acknowledgedAt: event.at, finishedAt: event.at, updatedAt: event.at }))],
        },
        'message.nack': {
          guard: 'currentDelivery',
          actions: assign(({ event }) => ({ lastError: (event as Ev<'message.nack'>).error, updatedAt: event.at })),
        },
        // The process died while this delivery waited for its acknowledgement: deliver again now.
        'message.lost': {
          guard: 'currentDelivery',
          target: 'delivering',
          reenter: true,
          actions: assign(({ context, event }) => ({ deliveries: context.deliveries + 1, lost: context.lost + 1, updatedAt: event.at })),
        },
        'hive.message.timeout': [
          {
            guard: 'redeliver',
            target: 'delivering',
            reenter: true,
            actions: assign(({ context, event }) => ({ deliveries: context.deliveries + 1, updatedAt: event.at })),
          },
          { guard: 'currentDelivery', target: 'undeliverable', actions: 'giveUp' },
        ],
        'hive.message.unreachable': { target: 'undeliverable', actions: ['disarmAck', 'giveUp'] },
      },
    },
    delivered: { entry: 'deliver', type: 'final' },
    acknowledged: { type: 'final' },
    undeliverable: {
      type: 'final',
      entry: emit(({ context }) => ({
        type: 'message.undeliverable' as const,
        messageId: context.spec.id,
        messageType: context.spec.type,
        from: context.spec.from,
        to: context.spec.to,
        deliveries: context.deliveries,
        reason: context.reason ?? '',
        at: context.finishedAt ?? context.updatedAt,
      })),
    },
  },
});
