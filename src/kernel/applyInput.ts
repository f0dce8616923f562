/**
 * @module applyInput: how each journaled input changes the actors, one small function per input
 * type. Called by KernelCore.apply with the input's time in `core.at`.
 */
import { agentAddress, auctionAddress, sessionAddress, taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import type { Input, TaskSpecRecord } from './inputs.js';
import type { KernelCore } from './KernelCore.js';
import { colonyInputHandlers } from './applyColonyInput.js';
import { collectPrunable } from './collectPrunable.js';
import { applyHiveOpened } from './applyHiveOpened.js';
import { deepFreeze } from './deepFreeze.js';
import { subAgentsOf } from './subAgents.js';
import { ensureSession, followPhase } from './followPhase.js';
import { lendOnPost } from './priorityInheritance.js';
import { cancelSubtree } from './TaskTree.js';
import { rateLimitInputs } from './rateLimitInputs.js';
import { applyRetry } from './retryInput.js';
import { scheduleInputs } from './scheduleInputs.js';
import { signalInputs } from './signalInputs.js';
import { remoteInputHandlers } from './applyWorkerInput.js';
import { handoffInput } from './handoffInput.js';
import { messageInputs, pruneMessages } from './messageInputs.js';
import { predictTask, setInsights, taskPosted } from './insights/insightsFacts.js';

type Handler<T extends Input['type']> = (core: KernelCore, input: Extract<Input, { type: T }>) => unknown;
/** How one input type is applied (handlers in other modules are typed with it). */
export type InputHandler<T extends Input['type']> = Handler<T>;

/** Post order: inputs in journal order, tasks of one batch in batch order. */
export const orderOf = (seq: number, index: number) => seq * 65536 + index;

/**
 * The input that created a task or agent, from its order (replay uses it to know whether a stored actor existed at a point).
 * @example seqOfOrder(stored.order) <= seq
 */
export const seqOfOrder = (order: number): number => Math.floor(order / 65536);

const agentCommand = (core: KernelCore, input: Extract<Input, { type: 'agent.pause' | 'agent.resume' | 'agent.stop' | 'agent.heartbeat' }>) =>
  core.deliver(agentAddress(input.agentId), { type: input.type, at: core.at }, 'input');

/** An attempt's outcome or report goes to its task as an event of the same name. */
const toTask = (
  core: KernelCore,
  input: Extract<Input, { type: 'attempt.progress' | 'attempt.succeeded' | 'attempt.failed' | 'attempt.lost' | 'verify.passed' | 'verify.failed' }>,
) => {
  const { taskId, ...event } = input;
  if (input.type === 'attempt.succeeded') deepFreeze(input.output);
  if (core.inspection.active && input.type !== 'attempt.progress') {
    core.inspection.record(core, {
      kind: 'effect.settled',
      effect: input.type.startsWith('verify.') ? 'verify' : 'execute',
      taskId,
      attempt: input.attempt,
      outcome: input.type,
    });
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
  'agent.stop': (core, input: Extract<Input, { agentId: string; type: 'agent.pause' | 'agent.resume' | 'agent.stop' | 'agent.heartbeat' }>) => {
    // Stopping an agent stops its sub-agents too (only when it was not stopped already).
    const before = core.current('agent', input.agentId);
    agentCommand(core, input);
    if (!before || before.value === 'stopped') return;
    for (const id of subAgentsOf(core, input.agentId)) core.deliver(agentAddress(id), { type: 'agent.stop', at: core.at }, agentAddress(input.agentId));
  },
  'agent.heartbeat': agentCommand,
  'task.post': (core, { tasks }) => {
    for (let i = 0; i < tasks.length; i++) createTask(core, tasks[i]!, orderOf(core.seq, i));
    return tasks.map((t) => t.id);
  },
  'task.cancel': (core, input) => {
    const status = core.taskStatus(input.taskId);
    core.deliver(taskAddress(input.taskId), { type: 'task.cancel', by: input.by, at: core.at }, 'input');
    // A cancel that took effect takes the task's whole subtree with it, queued and running.
    if (status !== undefined && !isTerminalTaskStatus(status)) cancelSubtree(core, input.taskId, input.by);
  },
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
    const before = slot && !isTerminalTaskStatus(String((slot.snap ?? slot.persisted)!.value)) ? core.hosted('task', slot) : undefined;
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
    const armed = core.timers.get(input.timerId);
    // The firing was journaled for one instance; a timer re-armed under that id meanwhile (the next
    // attempt's timeout, a heartbeat window) has another due time and is left alone. Records
    // written before `due` was journaled fire whatever is armed, as they did then.
    if (!armed || (input.due !== undefined && armed.due !== input.due)) return;
    core.timers.clear(input.timerId);
    core.deliver(armed.target, { ...armed.event, at: core.at }, 'timer');
  },
  'hive.opened': applyHiveOpened,
  'agent.attach': (core, input) => core.deliver(agentAddress(input.agentId), { type: 'hive.handler.attached', at: core.at }, 'input'),
  'auction.bid': (core, { taskId, ...event }) => core.deliver(auctionAddress(taskId), { ...event, at: core.at }, 'input'),
  'insights.set': (core, input) => setInsights(core, input.enabled),
  'hive.prune': (core, input) => {
    if (input.compactJournal) core.compactBefore = input.before;
    pruneMessages(core, input.before);
    return collectPrunable(core, input.before);
  },
  ...colonyInputHandlers,
  'task.retry': applyRetry,
  ...signalInputs,
  ...scheduleInputs,
  ...rateLimitInputs,
  ...remoteInputHandlers,
  ...messageInputs,
  'task.handoff': handoffInput,
  'session.limits': (core, input) => {
    if (!ensureSession(core, input.queueLimit)) core.deliver(sessionAddress, { type: 'session.limits', queueLimit: input.queueLimit, at: core.at }, 'input');
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
export function createTask(core: KernelCore, spec: TaskSpecRecord, order: number): void {
  const waitingOn: string[] = [];
  let failed: { id: string; status: string } | undefined;
  for (const dep of spec.dependsOn) {
    const status = core.taskStatus(dep);
    if (status === 'completed' || status === 'verified') continue;
    if (status === undefined || isTerminalTaskStatus(status)) failed ??= { id: dep, status: status ?? 'unknown (pruned)' };
    else waitingOn.push(dep);
  }
  deepFreeze(spec.input);
  // Ready at once but no agent can take it: marked from the start (no extra step per task).
  // A delayed task is not ready: it is checked when its time comes and it joins the queue.
  const delayed = (spec.delayMs ?? 0) > 0 || (spec.runAt ?? 0) > core.at;
  const waitingFor = waitingOn.length === 0 && !failed && !delayed ? core.agents.gap(spec.type, []) : undefined;
  // Predicted from what the hive knows before this task exists (see insights/insightsFacts).
  const prediction = predictTask(core, spec);
  const snap = core.create('task', spec.id, {
    ...spec,
    waitingOn,
    order,
    at: core.at,
    ...(waitingFor !== undefined ? { waitingFor } : {}),
    ...(prediction ? { prediction } : {}),
  });
  taskPosted(core, spec.type, prediction);
  core.countTask(undefined, String(snap.value));
  if (spec.phase !== undefined) followPhase(core, spec.phase, undefined, String(snap.value));
  lendOnPost(core, spec.id, snap.context as TaskContext);
  if (spec.idempotencyKey !== undefined) core.idempotencyKeys.set(spec.idempotencyKey, spec.id);
  for (const dep of waitingOn) core.deliver(taskAddress(dep), { type: 'hive.blocking', at: core.at }, 'kernel');
  if (failed)
    core.deliver(taskAddress(spec.id), { type: 'hive.dependency.settled', dependencyId: failed.id, ok: false, status: failed.status, at: core.at }, 'kernel');
}
