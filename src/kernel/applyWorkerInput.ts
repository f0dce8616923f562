/**
 * @module applyWorkerInput: what the remote-worker inputs do to the actors. A worker registering
 * creates its agent (or rejoins it); a new process instance, a leave or a loss hands the agent's
 * attempts back (`attempt.lost`: they resume from their last checkpoint); a loss puts the agent in
 * `error`, a leave pauses it, and a rejoin makes it available again.
 */
import { agentAddress, taskAddress, remoteAddress } from '../../machines/address.js';
import type { AgentContext } from '../../machines/agent.js';
import type { TaskContext } from '../../machines/task.js';
import type { RemoteWorkerContext } from '../../machines/remoteWorker.js';
import { statusOf } from './ActorKind.js';
import type { Input } from './inputs.js';
import type { KernelCore } from './KernelCore.js';
import { hasBackupFor } from './SuspendedTasks.js';

type RemoteWorkerInput = Extract<Input, { type: `remote.${string}` }>;
type Handler<T extends RemoteWorkerInput['type']> = (core: KernelCore, input: Extract<RemoteWorkerInput, { type: T }>) => unknown;

/** What a `worker.register` input did: the hub answers the worker with it. */
export type RegisterResult = 'registered' | 'rejoined' | 'refused';

/** Post order of actors created by one input (same rule as `agent.spawn`). */
const orderOf = (seq: number) => seq * 65536;

/**
 * Every attempt the agent holds is lost with its worker process: its task goes back to the queue.
 * When the worker fell silent (`failed`), a task no other agent can take is suspended instead
 * (`task.escalated`); it resumes when a capable agent appears, this one rejoining included.
 */
function loseAttempts(core: KernelCore, agentId: string, failed?: string): void {
  const agent = core.current('agent', agentId)?.context as AgentContext | undefined;
  for (const taskId of agent?.tasks ?? []) {
    const task = core.current('task', taskId)?.context as TaskContext | undefined;
    if (!task) continue;
    if (failed !== undefined && !hasBackupFor(core, taskId, agentId))
      core.deliver(taskAddress(taskId), { type: 'hive.suspend', agentId, reason: `agent ${agentId} failed: ${failed}`, at: core.at }, 'kernel');
    else core.deliver(taskAddress(taskId), { type: 'attempt.lost', attempt: task.attempt, at: core.at }, 'kernel');
  }
  // Releases reach the agent before anything else is told to it.
  core.drain();
}

const agentStatus = (core: KernelCore, id: string) => {
  const snap = core.current('agent', id);
  return snap && statusOf(snap);
};

/** A worker input for a session that is not the current one (an old process) changes nothing. */
function currentSession(core: KernelCore, agentId: string, instance: string): { status: string; context: RemoteWorkerContext } | undefined {
  const snap = core.current('remote', agentId);
  if (!snap || (snap.context as RemoteWorkerContext).instance !== instance) return undefined;
  return { status: statusOf(snap), context: snap.context as RemoteWorkerContext };
}

export const remoteInputHandlers: { [T in RemoteWorkerInput['type']]: Handler<T> } = {
  'remote.register': (core, { agent, worker }): RegisterResult => {
    const id = agent.id;
    if (!core.current('agent', id)) {
      const order = orderOf(core.seq);
      core.create('agent', id, { ...agent, order, at: core.at });
      core.create('remote', id, { ...worker, agentId: id, order, at: core.at });
      core.scheduleNeeded = true;
      return 'registered';
    }
    const before = core.current('remote', id);
    if (!before) return 'refused'; // an in-process agent has this id (the hub refuses before journaling)
    const w = before.context as RemoteWorkerContext;
    if (w.instance !== worker.instance) loseAttempts(core, id);
    const status = agentStatus(core, id);
    if (status === 'error' || (status === 'paused' && w.pausedAgent)) core.deliver(agentAddress(id), { type: 'agent.resume', at: core.at }, 'input');
    core.deliver(remoteAddress(id), { type: 'worker.join', ...worker, at: core.at }, 'input');
    return 'rejoined';
  },
  'remote.leave': (core, { agentId, instance }) => {
    const session = currentSession(core, agentId, instance);
    if (session?.status !== 'online') return false;
    loseAttempts(core, agentId);
    const status = agentStatus(core, agentId);
    const pausedAgent = status === 'idle' || status === 'busy';
    if (pausedAgent) core.deliver(agentAddress(agentId), { type: 'agent.pause', at: core.at }, 'input');
    core.deliver(remoteAddress(agentId), { type: 'worker.leave', instance, pausedAgent, at: core.at }, 'input');
    return true;
  },
  'remote.lost': (core, { agentId, instance }) => {
    if (!currentSession(core, agentId, instance)) return false;
    loseAttempts(core, agentId, 'its worker fell silent');
    const status = agentStatus(core, agentId);
    if (status === 'idle' || status === 'busy') core.deliver(agentAddress(agentId), { type: 'hive.heartbeat.missed', at: core.at }, 'input');
    core.deliver(remoteAddress(agentId), { type: 'worker.lost', instance, at: core.at }, 'input');
    return true;
  },
};
