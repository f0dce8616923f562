/**
 * @module remoteAgentRecord: checks the agent a worker registers as, against what the hive already
 * knows of that id, before anything is journaled: an in-process agent's id, a stopped agent's, or a
 * different spec under the same id is refused with `WorkerRefusedError` saying what to change.
 */
import { WorkerRefusedError } from '../errors.js';
import type { AgentSpecRecord } from '../kernel/inputs.js';
import { agentRecord } from '../specs.js';
import { checkKeys } from '../validate.js';
import type { AgentView } from '../views.js';

/**
 * The agent record to journal for a worker's registration.
 * `known(id)` tells what the hive has under that id: its view, and whether a worker registered it.
 * @example remoteAgentRecord(req.agent, (id) => ({ existing: kernel.getAgent(id), remote: true })).id // 'w1'
 */
export function remoteAgentRecord(agent: unknown, known: (id: string) => { existing: AgentView | undefined; remote: boolean }): AgentSpecRecord {
  const spec = checkKeys('register.agent', agent, ['id', 'name', 'capabilities', 'maxConcurrent', 'priority', 'failureThreshold']);
  const { record } = agentRecord(spec, { agentExists: () => false, agentLevel: () => undefined, taskExists: () => false });
  // A remote agent leaves `error` when its worker comes back, not on a timer of the hive's.
  record.maxRestarts = 0;
  const id = record.id;
  const { existing, remote } = known(id);
  if (!existing) return record;
  if (!remote) throw new WorkerRefusedError(id, 'an in-process agent of this hive has that id; give the worker another id');
  if (existing.status === 'stopped')
    throw new WorkerRefusedError(id, 'the agent with that id was stopped, and stopped agents never come back; give the worker another id');
  const was = { name: existing.name, capabilities: existing.capabilities, maxConcurrent: existing.maxConcurrent, priority: existing.priority };
  const now = { name: record.name, capabilities: record.capabilities, maxConcurrent: record.maxConcurrent, priority: record.priority };
  if (JSON.stringify(was) !== JSON.stringify(now)) {
    throw new WorkerRefusedError(
      id,
      `it is registered as ${JSON.stringify(was)} and this worker offers ${JSON.stringify(now)}; start the worker with the same agent, or give it another id`,
    );
  }
  return record;
}
