/**
 * @module applyInput: how each journaled input changes the actors, one small function per input
 * type. Called by KernelCore.apply with the input's time in `core.at`.
 */
import { agentAddress, auctionAddress, taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import type { Input, TaskSpecRecord } from './inputs.js';
import type { KernelCore } from './KernelCore.js';
import { collectPrunable } from './collectPrunable.js';
import { deepFreeze } from './deepFreeze.js';

type Handler<T extends Input['type']> = (core: KernelCore, input: Extract<Input, { type: T }>) => unknown;

/** Post order: inputs in journal order, tasks of one batch in batch order. */
const orderOf = (seq: number, index: number) => seq * 65536 + index;

const agentCommand = (core: KernelCore, input: Extract<Input, { type: 'agent.pause' | 'agent.resume' | 'agent.stop' | 'agent.heartbeat' }>) =>
  core.deliver(agentAddress(input.agentId), { type: input.type, at: core.at }, 'input');

/** An attempt's outcome or report goes to its task as an event of the same name. */
const toTask = (core: KernelCore, input: Extract<Input, { type: 'attempt.progress' | 'attempt.succeeded' | 'attempt.failed' | 'attempt.lost' | 'verify.passed' | 'verify.failed' }>) => {
  const { taskId, ...event } = input;
  if (input.type === 'attempt.succeeded') deepFreeze(input.output);
  if (core.inspection.active && input.type !== 'attempt.progress') {
    core.inspection.record(core, { kind: 'effect.settled', effect: input.type.startsWith('verify.') ? 'verify' : 'execute', taskId, attempt: input.attempt, outcome: input.type });
  }
  core.deliver(taskAddress(taskId), { ...event, at: core.at }, 'input');
};

const handlers: { [T in Input['type']]: Handler<T> } = {
  'agent.spawn': (core, { agent }) => {
    core.create('agent', agent.id, { ...agent, order: orderOf(core.seq, 0), at: core.at });
    core.scheduleNeeded = true;
    return agent.id;
  },
  'agent.pause': agentCommand,
  'agent.resume': agentCommand,
  'agent.stop': agentCommand,
  'agent.heartbeat': agentCommand,
  'task.post': (core, { tasks }) => {
    tasks.forEach((spec, i) => createTask(core, spec, orderOf(core.seq, i)));
    return tasks.map((t) => t.id);
  },
  'task.cancel': (core, input) => core.deliver(taskAddress(input.taskId), { type: 'task.cancel', by: input.by, at: core.at }, 'input'),
  'attempt.rejected': (core, input) => {
    const c = core.current('task', input.taskId)?.context as TaskContext | undefined;
    const capableLeft = c ? core.agents.countCapable(c.spec.type, input.agentId, c.excluded) : 0;
    const { taskId, ...event } = input;
    core.deliver(taskAddress(taskId), { ...event, capableLeft, at: core.at }, 'input');
  },
  'attempt.checkpoint': (core, input) => {
    // The handler is told whether its checkpoint was stored: only the current attempt's is.
    const slot = core.slot('task', input.taskId);
    deepFreeze(input.state);
    const before = slot && !isTerminalTaskStatus(String((slot.snap ?? slot.persisted)!.value)) ? core.hosted('task', input.taskId, slot) : undefined;
    core.deliver(taskAddress(input.taskId), { type: input.type, attempt: input.attempt, state: input.state, at: core.at }, 'input');
    core.drain();
    return before !== undefined && slot!.snap !== before;
  },
  'attempt.progress': toTask,
  'attempt.succeeded': toTask,
  'attempt.failed': toTask,
  'attempt.lost': toTask,
  'verify.passed': toTask,
  'verify.failed': toTask,
  'timer.fired': (core, input) => {
    const t = core.timers.clear(input.timerId);
    if (t) core.deliver(t.target, { ...t.event, at: core.at }, 'timer');
  },
  'auction.bid': (core, { taskId, ...event }) => core.deliver(auctionAddress(taskId), { ...event, at: core.at }, 'input'),
  'hive.prune': (core, input) => {
    if (input.compactJournal) core.compactBefore = input.before;
    return collectPrunable(core, input.before);
  },
};

/**
 * Applies one input to the core's actors; returns what the caller of the API call gets back.
 * @example applyInput(core, { type: 'agent.pause', agentId: 'a1' })
 */
export function applyInput(core: KernelCore, input: Input): unknown {
  return (handlers[input.type] as Handler<Input['type']>)(core, input);
}

/** Creates a task actor; dependencies already finished badly fail it at once. */
function createTask(core: KernelCore, spec: TaskSpecRecord, order: number): void {
  const waitingOn: string[] = [];
  let failed: { id: string; status: string } | undefined;
  for (const dep of spec.dependsOn) {
    const status = core.taskStatus(dep);
    if (status === 'completed' || status === 'verified') continue;
    if (status === undefined || isTerminalTaskStatus(status)) failed ??= { id: dep, status: status ?? 'unknown (pruned)' };
    else waitingOn.push(dep);
  }
  deepFreeze(spec.input);
  const snap = core.create('task', spec.id, { ...spec, waitingOn, order, at: core.at });
  core.countTask(undefined, String(snap.value));
  if (spec.idempotencyKey !== undefined) core.idempotencyKeys.set(spec.idempotencyKey, spec.id);
  for (const dep of waitingOn) core.deliver(taskAddress(dep), { type: 'hive.blocking', at: core.at }, 'kernel');
  if (failed) core.deliver(taskAddress(spec.id), { type: 'hive.dependency.settled', dependencyId: failed.id, ok: false, status: failed.status, at: core.at }, 'kernel');
}
