/** @module spawnAgent: `hive.spawnAgent()` and `hive.attachHandler()`: in-process handlers next to journaled agents. */
import { ValidationError } from '../errors.js';
import type { Handler } from '../effects/types.js';
import { runnableOf } from '../kernel/applyHiveOpened.js';
import type { AgentSpec, Bidder } from '../specs.js';
import type { AgentView } from '../views.js';
import type { Admission } from './Admission.js';
import type { HiveParts } from './assembleHive.js';
import type { CompiledHiveOptions } from './compileHiveOptions.js';
import { requireAgent } from './agentQueries.js';

/** What both calls read: the compiled options, the assembled parts and admission. */
export interface AgentHost {
  o: CompiledHiveOptions;
  parts: HiveParts;
  admission: Admission;
}

/**
 * Registers an agent once its record is durable; a `handler` given is kept in process (and dropped
 * again when the journal refuses the record). An existing agent with the same spec gets the handler attached.
 * @example await spawnAgent(host, { id: 'builder', name: 'Builder', capabilities: ['build'], handler })
 */
export function spawnAgent(host: AgentHost, spec: AgentSpec): Promise<AgentView> {
  const { o, parts } = host;
  const handlers = parts.agentHandlers;
  return host.admission.spawnAgent(
    spec,
    async (record, handler, bid) => {
      if (handler && o.intakeOnly) throw new ValidationError('handler', 'an intake-only hive runs no work; spawn the agent without one');
      // A host fact, journaled: which of its capabilities this process can run.
      const runnable = handler ? undefined : runnableOf(record.capabilities, o.intakeOnly ? new Set() : new Set(o.handlers.keys()));
      if (runnable !== undefined) record.runnable = runnable;
      if (handler) handlers.set(record.id, handler);
      if (bid) parts.bidders.set(record.id, bid);
      try {
        await parts.kernel.submit({ type: 'agent.spawn', agent: record });
      } catch (err) {
        handlers.delete(record.id);
        parts.bidders.delete(record.id);
        throw err;
      }
    },
    async (agentId, handler, bid) => {
      if (bid) attachBidder(host, agentId, bid);
      if (handler) await attachHandler(host, agentId, handler);
    },
  );
}

/**
 * Gives an existing agent its bid function again (functions are not stored).
 * @example attachBidder(host, 'a1', (task) => 5)
 */
export function attachBidder(host: AgentHost, agentId: string, bid: Bidder): void {
  requireAgent(host.parts.kernel, agentId);
  if (typeof bid !== 'function') throw new ValidationError('bid', 'must be a function (task, stats) => a non-negative integer price or null');
  host.parts.bidders.set(agentId, bid);
}

/**
 * Gives an existing agent its in-process handler again; journals the attachment when the agent
 * was detached (or could not run some capability), and wakes its parked work.
 * @example await attachHandler(host, 'builder', buildHandler)
 */
export async function attachHandler(host: AgentHost, agentId: string, handler: Handler): Promise<AgentView> {
  const { kernel, agentHandlers, executor } = host.parts;
  const agent = requireAgent(kernel, agentId);
  if (typeof handler !== 'function') throw new ValidationError('handler', 'must be a function (task, ctx) => output');
  if (host.o.intakeOnly) throw new ValidationError('handler', 'an intake-only hive runs no work; attach handlers in the program that runs the hive');
  agentHandlers.set(agentId, handler);
  if (agent.detached || agent.unhandled !== undefined) await kernel.submit({ type: 'agent.attach', agentId });
  executor.unpark(agentId);
  return kernel.getAgent(agentId)!;
}
