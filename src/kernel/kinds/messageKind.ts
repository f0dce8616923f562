/**
 * @module messageKind: typed envelopes as actors (`message:<id>`), under their receiving agent.
 * Finished messages stay (as their persisted snapshot) until `prune()` deletes them, so
 * `hive.messages()` lists them after a restart; a message waiting for its acknowledgement when the
 * process died is delivered again at once after recovery (`message.lost`).
 */
import { agentAddress } from '../../../machines/address.js';
import { finishedMessageStatuses, messageMachine, type MessageContext, type MessageEmitted, type MessageEvent } from '../../../machines/message.js';
import type { ActorKind } from '../ActorKind.js';
import { statusOf } from '../ActorKind.js';
import { MachineStepper, persist, type PersistedSnap, type Snap } from '../MachineStepper.js';
import type { KernelCore } from '../KernelCore.js';

/** A finished message takes no more messages: keep only its persisted form. */
function settle(core: KernelCore, id: string, snap: Snap<MessageContext> | PersistedSnap<MessageContext>): void {
  if (!finishedMessageStatuses.includes(statusOf(snap))) return;
  const slot = core.slot('message', id);
  if (!slot?.snap) return;
  slot.persisted = persist(slot.snap);
  slot.snap = undefined;
}

export const messageKind: ActorKind<MessageContext> = {
  name: 'message',
  stepper: new MachineStepper<MessageContext, MessageEvent, MessageEmitted>(messageMachine) as ActorKind<MessageContext>['stepper'],
  restore: (stored) => stored as PersistedSnap<MessageContext>,
  order: (c) => c.spec.order,
  // Kept and restored until pruned: `hive.messages()` answers from memory.
  isFinished: () => false,
  parentOf: (c) => agentAddress(c.spec.to),
  onAdded: (core, id, snap) => settle(core, id, snap),
  afterMessage: (core, id, snap) => settle(core, id, snap),
  resumeInFlight: (id, snap) =>
    statusOf(snap) === 'delivering' ? { type: 'message.lost', messageId: id, delivery: (snap.context as MessageContext).deliveries } : undefined,
};
