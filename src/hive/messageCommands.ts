/**
 * @module messageCommands: `hive.send`, `hive.messages`, `hive.subscribe`, `hive.unsubscribe` and
 * `hive.broadcast`: each argument checked (a ValidationError or NotFoundError before anything is
 * journaled), ids filled in, then one journaled input.
 */
import { randomUUID } from 'node:crypto';
import { messageTypes, type MessageContext, type MessageMetadata, type MessageSpec, type MessageType } from '../../machines/message.js';
import type { Json } from '../../machines/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { checkId, checkInt, checkJson, checkKeys, checkName, preview } from '../validate.js';
import type { AgentView } from '../views.js';
import { toMessageView, type MessageView } from './messageViews.js';

/** What `hive.send` takes: the envelope without its id and time (filled in), plus its delivery policy. */
export interface SendSpec {
  type: MessageType;
  /** The receiving agent's id. */
  to: string;
  /** Who sends it (an agent id, or any name). @default 'hive' */
  from?: string;
  payload?: Json;
  metadata?: { correlationId?: string; phase?: string };
  /** Redeliver an unacknowledged COMMAND, TASK_ASSIGN or HANDOFF after this long. @default the hive's `messages.ackTimeoutMs` */
  ackTimeoutMs?: number;
  /** Deliveries before it is `undeliverable`. @default the hive's `messages.maxDeliveries` */
  maxDeliveries?: number;
}

/** `hive.broadcast` options: who sends it (@default 'hive') and its metadata. */
export interface BroadcastOptions {
  from?: string;
  metadata?: { correlationId?: string; phase?: string };
}

/** Hive-wide message defaults (`createHive({ messages })`). */
export interface MessageOptions {
  /** @default 30000 */
  ackTimeoutMs?: number;
  /** @default 3 */
  maxDeliveries?: number;
}

export const defaultMessageOptions = { ackTimeoutMs: 30_000, maxDeliveries: 3 } as const;

const maxAckTimeoutMs = 2 ** 31 - 1;

/**
 * Checks `createHive({ messages })` and fills in the defaults.
 * @example compileMessageOptions({ ackTimeoutMs: 5000 }) // { ackTimeoutMs: 5000, maxDeliveries: 3 }
 */
export function compileMessageOptions(value: MessageOptions | undefined): Required<MessageOptions> {
  const o = value === undefined ? {} : checkKeys('messages', value, ['ackTimeoutMs', 'maxDeliveries']);
  return {
    ackTimeoutMs: o.ackTimeoutMs === undefined ? defaultMessageOptions.ackTimeoutMs : checkInt('messages.ackTimeoutMs', o.ackTimeoutMs, 1, maxAckTimeoutMs),
    maxDeliveries: o.maxDeliveries === undefined ? defaultMessageOptions.maxDeliveries : checkInt('messages.maxDeliveries', o.maxDeliveries, 1, 1000),
  };
}

function checkMetadata(value: unknown): MessageMetadata {
  if (value === undefined) return {};
  const m = checkKeys('metadata', value, ['correlationId', 'phase', 'retryCount']);
  if (m.retryCount !== undefined) throw new ValidationError('metadata.retryCount', 'is filled in by the hive (deliveries before this one); leave it out');
  const out: MessageMetadata = {};
  if (m.correlationId !== undefined) out.correlationId = checkName('metadata.correlationId', m.correlationId);
  if (m.phase !== undefined) out.phase = checkName('metadata.phase', m.phase);
  return out;
}

function requireAgent(kernel: Kernel, field: string, id: unknown): AgentView {
  const agentId = checkId(field, id);
  const view = kernel.getAgent(agentId);
  if (!view) throw new NotFoundError('agent', agentId, ` (${field} must name a registered agent)`);
  return view;
}

/** The message's current view (undefined once pruned). */
export function messageView(kernel: Kernel, id: string): MessageView | undefined {
  const s = kernel.actorState('message', id);
  return s && toMessageView(s.status, s.context as MessageContext);
}

/**
 * Validates and journals one envelope; resolves with it (id and time filled in) once it is durable
 * and its first delivery was handed out.
 * @example await sendMessage(kernel, defaults, { type: 'COMMAND', to: 'builder', payload: { op: 'pause' } })
 */
export async function sendMessage(kernel: Kernel, defaults: Required<MessageOptions>, spec: SendSpec, from?: string): Promise<MessageView> {
  const s = checkKeys('send', spec, ['type', 'to', 'from', 'payload', 'metadata', 'ackTimeoutMs', 'maxDeliveries']);
  if (typeof s.type !== 'string' || !(messageTypes as readonly string[]).includes(s.type))
    throw new ValidationError('type', `must be one of ${messageTypes.join(', ')}; got ${preview(s.type)}`);
  const to = requireAgent(kernel, 'to', s.to).id;
  if (from !== undefined && s.from !== undefined && s.from !== from)
    throw new ValidationError('from', `is set by ctx.send to the receiving agent ${JSON.stringify(from)}; got ${preview(s.from)}`);
  const message: MessageSpec = {
    id: `msg-${randomUUID()}`,
    type: s.type as MessageType,
    from: from ?? (s.from === undefined ? 'hive' : checkName('from', s.from)),
    to,
    payload: s.payload === undefined ? null : checkJson('payload', s.payload),
    metadata: checkMetadata(s.metadata),
    ackTimeoutMs: s.ackTimeoutMs === undefined ? defaults.ackTimeoutMs : checkInt('ackTimeoutMs', s.ackTimeoutMs, 1, maxAckTimeoutMs),
    maxDeliveries: s.maxDeliveries === undefined ? defaults.maxDeliveries : checkInt('maxDeliveries', s.maxDeliveries, 1, 1000),
  };
  await kernel.submit({ type: 'message.send', message });
  return messageView(kernel, message.id)!;
}

/**
 * Messages newest first, filtered by receiver and type, up to `limit` (default 100).
 * @example listMessages(kernel, { to: 'builder', type: 'COMMAND', limit: 10 })
 */
export function listMessages(kernel: Kernel, filter: unknown = {}): MessageView[] {
  const f = checkKeys('messages', filter, ['to', 'type', 'limit']);
  const to = f.to === undefined ? undefined : checkId('to', f.to);
  if (f.type !== undefined && (typeof f.type !== 'string' || !(messageTypes as readonly string[]).includes(f.type)))
    throw new ValidationError('type', `must be one of ${messageTypes.join(', ')}; got ${preview(f.type)}`);
  const limit = f.limit === undefined ? 100 : checkInt('limit', f.limit, 1, 1_000_000);
  const found: Array<{ order: number; status: string; c: MessageContext }> = [];
  for (const id of kernel.actorIds('message')) {
    const s = kernel.actorState('message', id)!;
    const c = s.context as MessageContext;
    if ((to === undefined || c.spec.to === to) && (f.type === undefined || c.spec.type === f.type)) found.push({ order: c.spec.order, status: s.status, c });
  }
  found.sort((a, b) => b.order - a.order);
  return found.slice(0, limit).map((m) => toMessageView(m.status, m.c));
}

/**
 * Subscribes or unsubscribes an agent (not stopped) to a channel; resolves with the agent.
 * @example await channelCommand(kernel, 'channel.subscribe', 'builder', 'alerts')
 */
export async function channelCommand(
  kernel: Kernel,
  type: 'channel.subscribe' | 'channel.unsubscribe',
  agentId: unknown,
  channel: unknown,
): Promise<AgentView> {
  const agent = requireAgent(kernel, 'agentId', agentId);
  const name = checkName('channel', channel);
  if (agent.status === 'stopped') throw new ValidationError('agentId', `agent ${JSON.stringify(agent.id)} is stopped; only agents not stopped take channels`);
  await kernel.submit({ type, agentId: agent.id, channel: name });
  return kernel.getAgent(agent.id)!;
}

/**
 * Sends one BROADCAST to every subscriber of `channel` (every agent for `'*'`), the sender
 * excluded; resolves with the copies made, in registration order of their receivers.
 * @example await broadcastMessage(kernel, 'alerts', { level: 'high' }, { from: 'monitor' })
 */
export async function broadcastMessage(kernel: Kernel, channel: unknown, payload: unknown, options: unknown = {}, from?: string): Promise<MessageView[]> {
  const name = checkName('channel', channel);
  const o = checkKeys('broadcast', options, ['from', 'metadata']);
  if (from !== undefined && o.from !== undefined && o.from !== from)
    throw new ValidationError('from', `is set by ctx.broadcast to the receiving agent ${JSON.stringify(from)}; got ${preview(o.from)}`);
  const ids = (await kernel.submit({
    type: 'channel.broadcast',
    id: `bc-${randomUUID()}`,
    channel: name,
    from: from ?? (o.from === undefined ? 'hive' : checkName('from', o.from)),
    payload: payload === undefined ? null : checkJson('payload', payload),
    metadata: checkMetadata(o.metadata),
  })) as string[];
  return ids.map((id) => messageView(kernel, id)!);
}
