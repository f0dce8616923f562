/** @module agentQueries: `hive.listAgents()` and the agent lookup every agent call starts with. */
import type { AgentStatus } from '../../machines/types.js';
import { NotFoundError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { checkId, checkInt, checkKeys, checkName } from '../validate.js';
import type { AgentView } from '../views.js';

/** Filters `hive.listAgents()` accepts. */
export interface AgentFilter {
  status?: AgentStatus;
  capability?: string;
  owner?: string;
  limit?: number;
}

/**
 * Agents newest first, filtered by status, capability and owner, up to `limit`.
 * @example listAgents(kernel, { owner: 'alice', status: 'busy', limit: 20 })
 */
export function listAgents(kernel: Kernel, filter: AgentFilter): AgentView[] {
  const f = checkKeys('listAgents', filter, ['status', 'capability', 'owner', 'limit']);
  const owner = f.owner === undefined ? undefined : checkName('owner', f.owner);
  const limit = f.limit === undefined ? Number.POSITIVE_INFINITY : checkInt('limit', f.limit, 1, 1_000_000);
  const order = (a: AgentView) => kernel.agentContext(a.id)?.order ?? 0;
  return kernel
    .listAgents()
    .filter(
      (a) =>
        (f.status === undefined || a.status === f.status) &&
        (f.capability === undefined || a.capabilities.includes(f.capability as string)) &&
        (owner === undefined || a.owner === owner),
    )
    .sort((a, b) => order(b) - order(a))
    .slice(0, limit);
}

/** The agent with this id, or NotFoundError. */
export function requireAgent(kernel: Kernel, id: string): AgentView {
  checkId('agentId', id);
  const view = kernel.getAgent(id);
  if (!view) throw new NotFoundError('agent', id);
  return view;
}
