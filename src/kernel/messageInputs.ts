/**
 * @module messageInputs: applies `message.*` and `channel.*`: a sent envelope becomes a `message`
 * actor (undeliverable at once when its receiver is unknown or stopped), acknowledgements and lost
 * deliveries go to it, subscriptions to the agent, and a broadcast makes one BROADCAST per subscriber.
 */
import { agentAddress, type Address } from '../../machines/address.js';
import type { AgentContext } from '../../machines/agent.js';
import { finishedMessageStatuses, messageAddress, type MessageContext, type MessageSpec } from '../../machines/message.js';
import { statusOf } from './ActorKind.js';
import { orderOf, type InputHandler } from './applyInput.js';
import { deepFreeze } from './deepFreeze.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Why `agentId` can get no message at all (unknown or stopped); undefined when it can.
 * @example unreachable(core, 'ghost') // 'no agent "ghost" is registered'
 */
export function unreachable(core: KernelCore, agentId: string): string | undefined {
  const snap = core.current('agent', agentId);
  if (!snap) return `no agent ${JSON.stringify(agentId)} is registered`;
  if (statusOf(snap) === 'stopped') return `agent ${JSON.stringify(agentId)} is stopped`;
  return undefined;
}

/** Creates a message actor; it is delivered (or found undeliverable) as it is created. */
function createMessage(core: KernelCore, message: MessageSpec, order: number): void {
  deepFreeze(message.payload);
  const why = unreachable(core, message.to);
  core.create('message', message.id, { ...message, order, at: core.at, ...(why !== undefined ? { unreachable: why } : {}) });
}

/**
 * Agents a broadcast on `channel` reaches, in registration order: those subscribed to it or to
 * `'*'` (every agent not stopped when `channel` is `'*'`), never the sender itself.
 */
export function subscribersOf(core: KernelCore, channel: string, from: string): string[] {
  const out: Array<{ id: string; order: number }> = [];
  for (const [id, slot] of core.actors.get('agent')!) {
    const snap = (slot.snap ?? slot.persisted)!;
    const c = snap.context as AgentContext;
    if (id === from || statusOf(snap) === 'stopped') continue;
    if (channel === '*' || c.channels?.includes(channel) || c.channels?.includes('*')) out.push({ id, order: c.order });
  }
  // Map order differs between a live hive and a recovered one; registration order does not.
  return out.sort((a, b) => a.order - b.order).map((a) => a.id);
}

const toMessage =
  <T extends 'message.ack' | 'message.nack' | 'message.lost'>(): InputHandler<T> =>
  (core, input) => {
    const { messageId, type, ...rest } = input as { messageId: string; type: T } & Record<string, unknown>;
    core.deliver(messageAddress(messageId), { type, ...rest, at: core.at } as never, 'input');
  };

const toAgent =
  <T extends 'channel.subscribe' | 'channel.unsubscribe'>(): InputHandler<T> =>
  (core, input) => {
    const { type, agentId, channel } = input as { type: T; agentId: string; channel: string };
    core.deliver(agentAddress(agentId), { type, channel, at: core.at }, 'input');
  };

export const messageInputs: {
  [T in 'message.send' | 'message.ack' | 'message.nack' | 'message.lost' | 'channel.subscribe' | 'channel.unsubscribe' | 'channel.broadcast']: InputHandler<T>;
} = {
  'message.send': (core, { message }) => {
    createMessage(core, message, orderOf(core.seq, 0));
    return message.id;
  },
  'message.ack': toMessage<'message.ack'>(),
  'message.nack': toMessage<'message.nack'>(),
  'message.lost': toMessage<'message.lost'>(),
  'channel.subscribe': toAgent<'channel.subscribe'>(),
  'channel.unsubscribe': toAgent<'channel.unsubscribe'>(),
  'channel.broadcast': (core, input) => {
    const ids: string[] = [];
    const to = subscribersOf(core, input.channel, input.from);
    deepFreeze(input.payload);
    for (let i = 0; i < to.length; i++) {
      const id = `${input.id}/${to[i]!}`;
      const { payload, metadata, from, channel } = input;
      createMessage(core, { id, type: 'BROADCAST', from, to: to[i]!, payload, metadata, channel, ackTimeoutMs: 0, maxDeliveries: 1 }, orderOf(core.seq, i));
      ids.push(id);
    }
    return ids;
  },
};

/**
 * Deletes finished messages that finished before `before` (with `hive.prune`); the next checkpoint
 * removes them from the store. Returns how many.
 * @example pruneMessages(core, core.at - retentionMs)
 */
export function pruneMessages(core: KernelCore, before: number): number {
  const messages = core.actors.get('message')!;
  const gone: string[] = [];
  for (const [id, slot] of messages) {
    const snap = (slot.snap ?? slot.persisted)!;
    const c = snap.context as MessageContext;
    if (finishedMessageStatuses.includes(statusOf(snap)) && c.finishedAt !== undefined && c.finishedAt < before) gone.push(id);
  }
  for (const id of gone) {
    const addr: Address = messageAddress(id);
    messages.delete(id);
    core.dirty.delete(addr);
    core.removed.add(addr);
  }
  return gone.length;
}
