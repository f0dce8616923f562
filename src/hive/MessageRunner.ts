/**
 * @module MessageRunner: the effect runner for `effect.message.deliver`. It hands an envelope to its
 * receiving agent's `onMessage` handler and journals the outcome: `message.ack` when the handler
 * resolves (for types that need one), `message.nack` with what it threw. Handlers are functions and
 * are not stored: a delivery to an agent whose handler this process does not have yet waits until
 * one is attached (`spawnAgent` again with `onMessage`); its acknowledgement timer runs meanwhile.
 */
import type { Logger } from 'pino';
import type { MessageRequest } from '../../machines/message.js';
import type { Json } from '../../machines/types.js';
import { describeThrown } from '../effects/describeThrown.js';
import { ValidationError } from '../errors.js';
import { readSafely } from '../validate.js';
import type { Input } from '../kernel/inputs.js';
import type { SendSpec } from './messageCommands.js';
import type { MessageEnvelope, MessageView } from './messageViews.js';

/** What an `onMessage` handler gets besides the envelope. */
export interface MessageHandlerContext {
  /** The receiving agent. */
  agentId: string;
  /** 1 for the first delivery; each redelivery counts up (`envelope.metadata.retryCount` + 1). */
  delivery: number;
  /** Sends an envelope from this agent (`from` is filled in). */
  send(spec: Omit<SendSpec, 'from'>): Promise<MessageView>;
  /** Broadcasts on a channel from this agent (it does not receive its own broadcast). */
  broadcast(channel: string, payload?: Json, options?: { metadata?: { correlationId?: string; phase?: string } }): Promise<MessageView[]>;
  logger: Logger;
}

/**
 * Receives envelopes sent to an agent. For COMMAND, TASK_ASSIGN and HANDOFF, resolving is the
 * acknowledgement; throwing (or not settling within `ackTimeoutMs`) has it delivered again, up to
 * `maxDeliveries`. Delivery is at least once: use `envelope.id` to recognise a repeat.
 */
export type MessageHandler = (envelope: MessageEnvelope, ctx: MessageHandlerContext) => unknown;

export interface MessageRunnerDeps {
  submit(input: Input): Promise<unknown>;
  view(messageId: string): MessageView | undefined;
  send(from: string, spec: SendSpec): Promise<MessageView>;
  broadcast(from: string, channel: string, payload: Json | undefined, options: unknown): Promise<MessageView[]>;
  logger: Logger;
}

export class MessageRunner {
  private readonly handlers = new Map<string, MessageHandler>();
  /** Deliveries waiting for their agent's handler, by agent id then message id (the latest delivery of each). */
  private readonly parked = new Map<string, Map<string, MessageRequest>>();

  constructor(private readonly deps: MessageRunnerDeps) {}

  /** Gives an agent its `onMessage` handler; deliveries that waited for it run now. */
  attach(agentId: string, handler: MessageHandler): void {
    this.handlers.set(agentId, handler);
    const waiting = this.parked.get(agentId);
    this.parked.delete(agentId);
    for (const req of waiting?.values() ?? []) this.deliver(req);
  }

  /** Hands one delivery to the receiver's handler (or parks it until there is one). */
  deliver(req: MessageRequest): void {
    const view = this.deps.view(req.messageId);
    const state = view?.delivery.state;
    // A later delivery (or the end of the message) makes this one moot.
    if (!view || view.delivery.deliveries !== req.delivery || (state !== 'delivering' && state !== 'delivered')) return;
    const handler = this.handlers.get(req.agentId);
    if (!handler) {
      this.deps.logger.warn({ message: req.messageId, agent: req.agentId }, 'agent has no onMessage handler in this process; the delivery waits for one');
      let list = this.parked.get(req.agentId);
      if (!list) this.parked.set(req.agentId, (list = new Map()));
      list.set(req.messageId, req);
      return;
    }
    const { delivery: _, ...envelope } = view;
    const logger = this.deps.logger.child({ message: req.messageId, agent: req.agentId, delivery: req.delivery });
    const ctx: MessageHandlerContext = {
      agentId: req.agentId,
      delivery: req.delivery,
      logger,
      send: (spec) => this.deps.send(req.agentId, spec as SendSpec),
      broadcast: (channel, payload, options = {}) => this.deps.broadcast(req.agentId, channel, payload, options),
    };
    const needsAck = view.delivery.needsAck;
    const { messageId, delivery } = req;
    void Promise.resolve()
      .then(() => handler(envelope, ctx))
      .then(
        () => (needsAck ? this.deps.submit({ type: 'message.ack', messageId, delivery }) : undefined),
        (err: unknown) => {
          const error = describeThrown(err);
          if (!needsAck) return logger.warn({ error }, 'onMessage threw; the message needs no acknowledgement and is not delivered again');
          return this.deps.submit({ type: 'message.nack', messageId, delivery, error });
        },
      )
      // The hive closed or its store failed: the delivery stays unacknowledged and is redelivered on reopen.
      .catch((err: unknown) => logger.warn({ err }, 'message outcome not recorded'));
  }
}

/**
 * Splits `onMessage` off an agent spec (functions are never journaled); a non-function is a ValidationError.
 * @example const { spec: rest, onMessage } = takeOnMessage(spec)
 */
export function takeOnMessage<S>(spec: S): { spec: S; onMessage: MessageHandler | undefined } {
  if (typeof spec !== 'object' || spec === null) return { spec, onMessage: undefined };
  // Descriptors, not values: a throwing getter elsewhere in the spec is still reported by its own field.
  const descriptors = readSafely('spawnAgent', () => Object.getOwnPropertyDescriptors(spec)) as Record<string, PropertyDescriptor>;
  const own = descriptors.onMessage;
  if (own === undefined) return { spec, onMessage: undefined };
  delete descriptors.onMessage;
  const onMessage = readSafely('onMessage', () => (own.get ? own.get.call(spec) : own.value)) as unknown;
  if (onMessage !== undefined && typeof onMessage !== 'function') throw new ValidationError('onMessage', 'must be a function (envelope, ctx) => unknown');
  return { spec: Object.defineProperties({}, descriptors) as S, onMessage: onMessage as MessageHandler | undefined };
}
