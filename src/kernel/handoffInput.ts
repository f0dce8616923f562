/**
 * @module handoffInput: applies `task.handoff` (a handler's `ctx.handoff(agentId, state)`). The
 * kernel decides from its own state whether the target can take the task now: known, capable
 * (the task's type is one of its capabilities) and available (idle or busy with room, a handler in
 * this process, not refused by the task, the type's rate limit open). Accepted: the attempt ends,
 * the state becomes the task's checkpoint and the next attempt starts on the target at once.
 * Refused: nothing changes but a `task.handoff_refused` event, and the handler gets a typed error.
 */
import { agentAddress, coordinatorAddress, taskAddress } from '../../machines/address.js';
import type { AgentContext } from '../../machines/agent.js';
import { isAvailable } from '../../machines/coordinator.js';
import type { TaskContext } from '../../machines/task.js';
import { statusOf } from './ActorKind.js';
import type { InputHandler } from './applyInput.js';
import { deepFreeze } from './deepFreeze.js';
import type { KernelCore } from './KernelCore.js';
import { noteStart, rateAllows } from './rateLimits.js';

/** Why a handoff was refused: no such agent, the agent lacks the task's type, or it cannot take it now. */
export type HandoffRefusal = 'unknown' | 'incapable' | 'unavailable';

/** What `task.handoff` answers the handler. */
export type HandoffResult =
  | { outcome: 'handed_off'; attempt: number }
  | { outcome: 'refused'; reason: HandoffRefusal; detail: string }
  | { outcome: 'superseded' };

/**
 * Whether `agentId` can take task `c` now; undefined when it can.
 * @example refusalOf(core, task.context, 'reviewer') // { reason: 'incapable', detail: '...' }
 */
export function refusalOf(core: KernelCore, c: TaskContext, agentId: string): { reason: HandoffRefusal; detail: string } | undefined {
  const snap = core.current('agent', agentId);
  const name = JSON.stringify(agentId);
  if (!snap) return { reason: 'unknown', detail: `no agent ${name} is registered` };
  const a = snap.context as AgentContext;
  const type = JSON.stringify(c.spec.type);
  if (!a.capabilities.includes(c.spec.type)) return { reason: 'incapable', detail: `agent ${name} does not have capability ${type}` };
  const status = statusOf(snap);
  const busy = (why: string) => ({ reason: 'unavailable' as const, detail: `agent ${name} ${why}` });
  if (agentId === c.assignedTo) return busy('is the one running this attempt');
  if (!isAvailable({ ...a, id: agentId, status }))
    return busy(status === 'idle' || status === 'busy' ? `is at its maxConcurrent (${a.maxConcurrent})` : `is ${status}`);
  if (a.runnable !== undefined && !a.runnable.includes(c.spec.type)) return busy(`has no handler for ${type} in the process holding the hive`);
  if (c.excluded.includes(agentId)) return busy('rejected this task before');
  if (!rateAllows(core, c.spec.type)) return busy(`cannot start it now: the rate limit of ${type} is reached`);
  return undefined;
}

export const handoffInput: InputHandler<'task.handoff'> = (core, input): HandoffResult => {
  const { taskId, attempt, agentId, state } = input;
  const snap = core.current('task', taskId);
  const c = snap?.context as TaskContext | undefined;
  if (!snap || !c || statusOf(snap) !== 'running' || c.attempt !== attempt) return { outcome: 'superseded' };
  deepFreeze(state);
  const refused = refusalOf(core, c, agentId);
  const at = core.at;
  core.deliver(
    taskAddress(taskId),
    { type: 'task.handoff', attempt, agentId, state, ...(refused ? { refused: refused.reason, detail: refused.detail } : {}), at },
    'input',
  );
  if (refused) {
    core.drain();
    return { outcome: 'refused', ...refused };
  }
  // As the scheduler assigns: the agent takes it and the next attempt starts on it at once.
  core.deliver(agentAddress(agentId), { type: 'hive.task.assigned', taskId, at }, coordinatorAddress);
  core.deliver(taskAddress(taskId), { type: 'hive.start', at }, coordinatorAddress);
  noteStart(core, c.spec.type);
  core.drain();
  return { outcome: 'handed_off', attempt: attempt + 1 };
};
