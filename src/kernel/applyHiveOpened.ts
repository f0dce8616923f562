/**
 * @module applyHiveOpened: what a process opening the hive changes, as one journaled input applied
 * to every agent, so that recovery and replay see the same thing the live process did.
 */
import { agentAddress } from '../../machines/address.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Tells every agent that a process opened the hive. Agents with `heartbeatMs` start a new heartbeat
 * window from now: while the process was down nobody could call `heartbeat`, so that time is not a
 * missed heartbeat.
 * @example applyHiveOpened(core) // from the `hive.opened` input
 */
export function applyHiveOpened(core: KernelCore): void {
  for (const id of core.actors.get('agent')!.keys()) core.deliver(agentAddress(id), { type: 'hive.opened', at: core.at }, 'kernel');
}
