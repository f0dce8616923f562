/** @module subAgents: the agents below an agent in the lineage tree (its sub-agents, theirs, and so on), for a stop that takes them all. */
import type { AgentContext } from '../../machines/agent.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Every agent descended from `agentId`, in registration order (deterministic whatever order the
 * agents were restored in). Agents are few and always in memory: a scan is enough.
 * @example for (const id of subAgentsOf(core, 'lead')) core.deliver(agentAddress(id), stop, from)
 */
export function subAgentsOf(core: KernelCore, agentId: string): string[] {
  const children = new Map<string, Array<{ id: string; order: number }>>();
  for (const [id, slot] of core.actors.get('agent')!) {
    const c = (slot.snap ?? slot.persisted)!.context as AgentContext;
    if (c.parentId === undefined) continue;
    let list = children.get(c.parentId);
    if (!list) children.set(c.parentId, (list = []));
    list.push({ id, order: c.order });
  }
  const out: Array<{ id: string; order: number }> = [];
  const stack = [agentId];
  const seen = new Set(stack);
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      out.push(child);
      stack.push(child.id);
    }
  }
  return out.sort((a, b) => a.order - b.order).map((a) => a.id);
}
