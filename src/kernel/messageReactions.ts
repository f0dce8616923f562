/**
 * @module messageReactions: a message asks for a delivery; the kernel hands it to the live host
 * (the receiver's `onMessage`), unless the receiver was stopped meanwhile: then it is undeliverable.
 */
import type { Address } from '../../machines/address.js';
import type { MessageRequest } from '../../machines/message.js';
import type { KernelCore } from './KernelCore.js';
import { unreachable } from './messageInputs.js';

export const messageReactions = {
  'effect.message.deliver': (core: KernelCore, from: Address, e: MessageRequest): void => {
    const reason = unreachable(core, e.agentId);
    if (reason !== undefined) core.deliver(from, { type: 'hive.message.unreachable', reason, at: core.at }, 'kernel');
    else core.request(e);
  },
};
