/** @module MessagingInput: the journal inputs of typed envelopes, channels and task handoffs. */
import type { MessageMetadata, MessageSpec } from '../../machines/message.js';
import type { Json, TaskError } from '../../machines/types.js';

export type MessagingInput =
  /** `hive.send`: the envelope with its id filled in (its time is the input's). */
  | { type: 'message.send'; message: MessageSpec }
  /** The receiver's `onMessage` resolved for this delivery. */
  | { type: 'message.ack'; messageId: string; delivery: number }
  /** The receiver's `onMessage` threw for this delivery (it is delivered again when its timer fires). */
  | { type: 'message.nack'; messageId: string; delivery: number; error: TaskError }
  /** After recovery: a delivery that waited for its acknowledgement when the process died. */
  | { type: 'message.lost'; messageId: string; delivery: number }
  | { type: 'channel.subscribe' | 'channel.unsubscribe'; agentId: string; channel: string }
  /** `hive.broadcast`: one BROADCAST per subscriber, with ids `<id>/<agent id>`; `'*'` reaches every agent. */
  | { type: 'channel.broadcast'; id: string; channel: string; from: string; payload: Json; metadata: MessageMetadata }
  /** A task handler's `ctx.handoff`: end this attempt and continue the task on `agentId` from `state`. */
  | { type: 'task.handoff'; taskId: string; attempt: number; agentId: string; state: Json };
