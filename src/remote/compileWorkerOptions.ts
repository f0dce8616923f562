/**
 * @module compileWorkerOptions: `runWorker`'s options checked and settled before anything connects.
 * Loads no NATS code.
 */
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import type { AgentPriority } from '../../machines/types.js';
import type { Handler, Verifier } from '../effects/types.js';
import { ValidationError } from '../errors.js';
import type { Bidder } from '../specs.js';
import { checkId, checkInt, checkKeys, checkName, checkStringArray, limits } from '../validate.js';
import { checkServers, defaultNatsOptions } from './compileNatsOptions.js';
import { checkPrefix, type RemoteAgentSpec } from './protocol.js';

export interface WorkerOptions {
  /** NATS server URL(s), the same server (or cluster) the hive uses. */
  servers: string | string[];
  /** The hive's `nats.prefix`. @default 'hivestate' */
  prefix?: string;
  /** The agent this worker runs; it registers with the hive and then is an agent like any other. */
  agent: { id: string; name?: string; capabilities: string[]; maxConcurrent?: number; priority?: AgentPriority; failureThreshold?: number };
  /** Handlers by task type: one for every capability. */
  handlers: Record<string, Handler>;
  /** Verifiers by task type; the hive uses them for types it has no verifier of its own for. */
  verifiers?: Record<string, Verifier>;
  /**
   * The agent's price for an auctioned task, as an in-process agent's `bid`: a non-negative integer,
   * or null to abstain. Without it the agent abstains in every auction (the hive asks it nothing).
   */
  bid?: Bidder;
  /** @default pino at 'warn' level */
  logger?: Logger;
  /** Shown in `listAgents` and the inspector. @default os.hostname() */
  host?: string;
  /** How long `close()` lets running attempts finish before it hands them back. @default 30000 */
  closeTimeoutMs?: number;
}

export interface CompiledWorkerOptions {
  servers: string[];
  prefix: string;
  agent: RemoteAgentSpec;
  handlers: ReadonlyMap<string, Handler>;
  verifiers: ReadonlyMap<string, Verifier>;
  bid: Bidder | undefined;
  logger: Logger;
  host: string;
  closeTimeoutMs: number;
}

/**
 * @example compileWorkerOptions({ servers: 'nats://127.0.0.1:4222', agent: { id: 'w1', capabilities: ['build'] }, handlers: { build } })
 */
export function compileWorkerOptions(options: WorkerOptions): CompiledWorkerOptions {
  const o = checkKeys('runWorker', options, ['servers', 'prefix', 'agent', 'handlers', 'verifiers', 'bid', 'logger', 'host', 'closeTimeoutMs']);
  const a = checkKeys('agent', o.agent, ['id', 'name', 'capabilities', 'maxConcurrent', 'priority', 'failureThreshold']);
  const id = checkId('agent.id', a.id);
  const capabilities = checkStringArray('agent.capabilities', a.capabilities, { nonEmpty: true, item: (f, v) => checkName(f, v) });
  const handlers = functions<Handler>('handlers', o.handlers);
  const missing = capabilities.filter((c) => !handlers.has(c));
  if (missing.length > 0) throw new ValidationError('handlers', `needs a handler for every capability; missing: ${missing.join(', ')}`);
  const agent: RemoteAgentSpec = {
    id,
    name: a.name === undefined ? id : checkName('agent.name', a.name),
    capabilities,
    maxConcurrent: a.maxConcurrent === undefined ? 1 : checkInt('agent.maxConcurrent', a.maxConcurrent, 1, limits.maxConcurrent),
  };
  if (a.priority !== undefined) {
    if (a.priority !== 'normal' && a.priority !== 'high' && a.priority !== 'critical')
      throw new ValidationError('agent.priority', `must be 'normal', 'high' or 'critical'; got ${JSON.stringify(a.priority)}`);
    agent.priority = a.priority;
  }
  if (a.failureThreshold !== undefined) agent.failureThreshold = checkInt('agent.failureThreshold', a.failureThreshold, 1, 1000);
  if (o.bid !== undefined && typeof o.bid !== 'function')
    throw new ValidationError('bid', 'must be a function (task, stats) => a non-negative integer price or null (or a promise of one)');
  return {
    servers: checkServers('servers', o.servers),
    prefix: o.prefix === undefined ? defaultNatsOptions.prefix : checkPrefix('prefix', o.prefix),
    agent,
    handlers,
    verifiers: o.verifiers === undefined ? new Map() : functions<Verifier>('verifiers', o.verifiers),
    bid: o.bid as Bidder | undefined,
    logger: (o.logger as Logger | undefined) ?? pino({ level: 'warn' }),
    host: o.host === undefined ? hostname() : checkName('host', o.host, 255),
    closeTimeoutMs: o.closeTimeoutMs === undefined ? 30_000 : checkInt('closeTimeoutMs', o.closeTimeoutMs, 0, 86_400_000),
  };
}

function functions<F>(field: string, value: unknown): ReadonlyMap<string, F> {
  const record = checkKeys(field, value, Object.keys((value ?? {}) as object));
  const out = new Map<string, F>();
  for (const [k, v] of Object.entries(record)) {
    if (typeof v !== 'function') throw new ValidationError(`${field}.${k}`, 'must be a function');
    out.set(k, v as F);
  }
  return out;
}
