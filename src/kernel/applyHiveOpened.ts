/**
 * @module applyHiveOpened: what a process opening the hive changes, as one journaled input applied
 * to every agent, so that recovery and replay see the same thing the live process did.
 */
import { agentAddress } from '../../machines/address.js';
import type { AgentContext } from '../../machines/agent.js';
import type { Input } from './inputs.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Tells every agent that a process opened the hive. Each can run, from now on, only the
 * capabilities the process has a hive-wide handler for (its own handler, given in an earlier
 * process, is gone until attached again); with none it is detached and gets no work. Agents with
 * `heartbeatMs` start a new heartbeat window from now: while the process was down nobody could
 * call `heartbeat`, so that time is not a missed heartbeat.
 * @example applyHiveOpened(core, { type: 'hive.opened', handlerTypes: ['build'] })
 */
export function applyHiveOpened(core: KernelCore, input: Extract<Input, { type: 'hive.opened' }>): void {
  const types = new Set(input.intakeOnly ? [] : input.handlerTypes);
  for (const id of core.actors.get('agent')!.keys()) {
    // A remote agent's handlers live in its worker process: its session decides whether it can work.
    if (core.slot('remote', id)) continue;
    const { capabilities, runnable: before, heartbeatMs } = core.current('agent', id)!.context as AgentContext;
    const runnable = runnableOf(capabilities, types);
    // Agents this open changes nothing for stay as they are (passivated, not rewritten by the next checkpoint).
    if (heartbeatMs === undefined && sameRunnable(before, runnable)) continue;
    core.deliver(agentAddress(id), { type: 'hive.opened', runnable, at: core.at }, 'kernel');
  }
}

const sameRunnable = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * The capabilities among `capabilities` that have a handler in `types`; undefined when all do.
 * @example runnableOf(['build', 'test'], new Set(['build'])) // ['build']
 */
export function runnableOf(capabilities: readonly string[], types: ReadonlySet<string>): string[] | undefined {
  const runnable = capabilities.filter((c) => types.has(c));
  return runnable.length === capabilities.length ? undefined : runnable;
}
