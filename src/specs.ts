/** @module Turning public spawn/post arguments into validated journal records (ids assigned, defaults applied, DAG checked). */
import { randomUUID } from 'node:crypto';
import type { AgentPriority, Json } from '../machines/types.js';
import { DependencyCycleError, DepthLimitError, DuplicateIdError, NotFoundError, ValidationError } from './errors.js';
import type { AgentSpecRecord, TaskSpecRecord } from './kernel/inputs.js';
import type { Handler } from './effects/types.js';
import type { AgentStats } from './hive/marketQueries.js';
import { defaultAuctionWindowMs } from './kernel/auction/routedStrategy.js';
import type { MessageHandler } from './hive/MessageRunner.js';
import {
  preview,
  checkBool,
  checkId,
  checkInt,
  checkJson,
  checkKeys,
  checkName,
  checkStringArray,
  checkTaskPriority,
  checkTime,
  limits,
  readSafely,
} from './validate.js';

export interface AgentSpec {
  id?: string;
  name: string;
  capabilities: string[];
  priority?: AgentPriority;
  maxConcurrent?: number;
  handler?: Handler;
  /**
   * Receives envelopes sent to the agent (`hive.send`, `hive.broadcast`). Like `handler`, it is code:
   * after a restart give it again (`spawnAgent` with the same spec); deliveries wait for it meanwhile.
   */
  onMessage?: MessageHandler;
  level?: 1 | 2 | 3;
  parentId?: string;
  owner?: string;
  /** Consecutive failed attempts that put the agent in `error` (default 3). */
  failureThreshold?: number;
  /** If set, `hive.heartbeat(id)` must be called at least this often or the agent goes to `error`. */
  heartbeatMs?: number;
  /** Automatic restarts out of `error` (default 3); after that it waits for `resumeAgent`. */
  maxRestarts?: number;
  /** Backoff before the first automatic restart, doubling each time (default 1000). */
  restartBackoffMs?: number;
  /**
   * Its price for an auctioned task: a non-negative integer, or null to abstain; may be async.
   * Functions are not stored: after a restart, give it again with `hive.attachBidder`.
   */
  bid?: Bidder;
}

/** What a bidding agent sees: the task and its own record so far (`hive.agentStats`). */
export type Bidder = (task: { id: string; type: string; input: Json; priority: number }, stats: AgentStats) => number | null | Promise<number | null>;

export interface TaskSpec {
  id?: string;
  type: string;
  input?: Json;
  /** 'normal' | 'high' | 'critical' or 0-1000; higher is served first. Default 'normal' (0). */
  priority?: 'normal' | 'high' | 'critical' | number;
  dependsOn?: string[];
  /** Epoch ms. Within an hour of it the task's priority rises. */
  deadline?: number;
  /** An attempt running longer is aborted and counts as failed. */
  timeoutMs?: number;
  /** Failed attempts retried before the task fails (default 2). */
  maxRetries?: number;
  /** First retry backoff; doubles per failure, capped at 5 min (default 1000). */
  backoffMs?: number;
  /** Run the hive's verifier for this task type after it completes. */
  verify?: boolean;
  owner?: string;
  idempotencyKey?: string;
  /** The task this one belongs to (an existing task; `ctx.postTask` sets it): cancelling the parent cancels it. */
  parentTaskId?: string;
  /** Call `createHive({ notify })` once when the task finishes (not when it is cancelled). */
  notify?: boolean;
  /** Hold the task until this time (epoch ms): it is `delayed`, not queued, until then. */
  runAt?: number;
  /** Hold the task this many ms after it is posted (instead of `runAt`). */
  delayMs?: number;
  /** 'auction' asks every free capable agent's `bid` and awards the lowest price; default: the hive's `assignment` for this type, else 'direct'. */
  assign?: 'direct' | 'auction';
  /** Auction settings: bidding window (default 1000 ms) and what happens when nobody bids (default 'fail': code `no_bids`). */
  auction?: { windowMs?: number; onNoBids?: 'fail' | 'queue' };
  /**
   * The session phase it belongs to (a name, e.g. 'build'): when every task of a phase has finished
   * the hive emits `phase.completed`, and `session.completed` when every phase has (`hive.report()`).
   */
  phase?: string;
}

const agentKeys = [
  'id',
  'name',
  'capabilities',
  'priority',
  'maxConcurrent',
  'handler',
  'level',
  'parentId',
  'owner',
  'failureThreshold',
  'heartbeatMs',
  'maxRestarts',
  'restartBackoffMs',
  'bid',
] as const;
const taskKeys = [
  'id',
  'type',
  'input',
  'priority',
  'dependsOn',
  'deadline',
  'timeoutMs',
  'maxRetries',
  'backoffMs',
  'verify',
  'owner',
  'idempotencyKey',
  'parentTaskId',
  'notify',
  'runAt',
  'delayMs',
  'assign',
  'auction',
  'phase',
] as const;

/** Deepest chain of sub-tasks (each task keeps its ancestors, so the chain is bounded). */
export const maxTaskDepth = 100;

export const taskDefaults = { maxRetries: 2, backoffMs: 1000 } as const;

export interface SpecLookups {
  agentLevel(id: string): number | undefined;
  agentExists(id: string): boolean;
  taskExists(id: string): boolean;
  /** The ancestors of an existing task (root first); undefined when there is no such task. */
  taskAncestors?(id: string): string[] | undefined;
  /** The hive's assignment for a task type (createHive `assignment`). */
  assignmentFor?(type: string): 'direct' | 'auction' | undefined;
}

/** Validates an agent spec; the handler is returned separately (functions are never journaled). */
export function agentRecord(spec: unknown, lookups: SpecLookups): { record: AgentSpecRecord; handler?: Handler; bid?: Bidder } {
  const s = checkKeys('spawnAgent', spec, agentKeys);
  const id = s.id === undefined ? `agent-${randomUUID()}` : checkId('id', s.id);
  if (lookups.agentExists(id)) throw new DuplicateIdError('agent', id);
  const priority = s.priority ?? 'normal';
  if (priority !== 'normal' && priority !== 'high' && priority !== 'critical') {
    throw new ValidationError('priority', `must be 'normal', 'high' or 'critical'; got ${preview(priority)}`);
  }
  if (s.handler !== undefined && typeof s.handler !== 'function') throw new ValidationError('handler', 'must be a function (task, ctx) => output');
  if (s.bid !== undefined && typeof s.bid !== 'function')
    throw new ValidationError('bid', 'must be a function (task, stats) => a non-negative integer price or null');
  let parentId: string | undefined;
  let level = s.level === undefined ? 1 : checkInt('level', s.level, 1, 3);
  if (s.parentId !== undefined) {
    parentId = checkId('parentId', s.parentId);
    const parentLevel = lookups.agentLevel(parentId);
    if (parentLevel === undefined) throw new NotFoundError('agent', parentId, ' (parentId must name a registered agent)');
    if (parentLevel >= 3) throw new DepthLimitError(parentId);
    if (s.level === undefined) level = parentLevel + 1;
    else if (level !== parentLevel + 1)
      throw new ValidationError('level', `must be ${parentLevel + 1}, one below its parent ${parentId} (level ${parentLevel}); got ${level}`);
  }
  const record: AgentSpecRecord = {
    id,
    name: checkName('name', s.name),
    capabilities: checkStringArray('capabilities', s.capabilities, { nonEmpty: true, item: (f, v) => checkName(f, v) }),
    priority,
    maxConcurrent: s.maxConcurrent === undefined ? 1 : checkInt('maxConcurrent', s.maxConcurrent, 1, limits.maxConcurrent),
    level: level as 1 | 2 | 3,
    failureThreshold: s.failureThreshold === undefined ? 3 : checkInt('failureThreshold', s.failureThreshold, 1, 1000),
    maxRestarts: s.maxRestarts === undefined ? 3 : checkInt('maxRestarts', s.maxRestarts, 0, 1000),
    restartBackoffMs: s.restartBackoffMs === undefined ? 1000 : checkInt('restartBackoffMs', s.restartBackoffMs, 1, 3_600_000),
  };
  if (parentId !== undefined) record.parentId = parentId;
  if (s.owner !== undefined) record.owner = checkName('owner', s.owner);
  if (s.heartbeatMs !== undefined) record.heartbeatMs = checkInt('heartbeatMs', s.heartbeatMs, 1, 2 ** 31);
  return { record, handler: s.handler as Handler | undefined, ...(s.bid !== undefined ? { bid: s.bid as Bidder } : {}) };
}

/** Most task specs one postTasks call takes. */
export const maxBatchSize = 100_000;

/**
 * Reads the argument of `postTasks` once: a non-empty array of at most 100,000 specs, each copied
 * with its own keys (unknown keys refused). Later reads of the copies cannot throw or change, and a
 * throwing getter or Proxy is a ValidationError naming the field.
 * @example const specs = readTaskSpecs([{ type: 'build' }]); specs[0].idempotencyKey
 */
export function readTaskSpecs(value: unknown): TaskSpec[] {
  const list = readSafely('postTasks', () => {
    if (!Array.isArray(value) || value.length === 0) throw new ValidationError('postTasks', 'needs a non-empty array of task specs');
    if (value.length > maxBatchSize) throw new ValidationError('postTasks', `takes at most ${maxBatchSize} tasks per call; got ${value.length}`);
    return Array.from({ length: value.length }, (_, i) => readSafely(`tasks[${i}]`, () => value[i] as unknown));
  });
  return list.map((spec, i) => checkKeys(list.length > 1 ? `tasks[${i}]` : 'postTask', spec, taskKeys) as unknown as TaskSpec);
}

/**
 * Validates a batch of task specs. Ids in the batch may depend on each other; the result is in
 * dependency order. Throws on a duplicate or unknown id or a cycle, before anything is journaled.
 */
export function taskRecords(specs: unknown[], lookups: SpecLookups): { records: TaskSpecRecord[]; ordered: TaskSpecRecord[] } {
  const records = specs.map((spec, i) => taskRecord(spec, specs.length > 1 ? `tasks[${i}]` : 'postTask', lookups));
  for (const r of records) if (r.parentTaskId !== undefined) r.ancestors = ancestorsOf(r, lookups);
  const inBatch = new Map<string, TaskSpecRecord>();
  for (const r of records) {
    if (inBatch.has(r.id) || lookups.taskExists(r.id)) throw new DuplicateIdError('task', r.id);
    inBatch.set(r.id, r);
  }
  for (const r of records) {
    for (const dep of r.dependsOn) {
      if (dep === r.id) throw new DependencyCycleError([r.id, r.id]);
      if (!inBatch.has(dep) && !lookups.taskExists(dep))
        throw new NotFoundError('task', dep, ` (task ${r.id} depends on it; dependsOn must name existing tasks)`);
    }
  }
  return { records, ordered: topoOrder(records, inBatch) };
}

function taskRecord(spec: unknown, field: string, lookups: SpecLookups): TaskSpecRecord {
  const s = checkKeys(field, spec, taskKeys);
  const record: TaskSpecRecord = {
    id: s.id === undefined ? `task-${randomUUID()}` : checkId('id', s.id),
    type: checkName('type', s.type),
    input: s.input === undefined ? null : checkJson('input', s.input),
    priority: s.priority === undefined ? 0 : checkTaskPriority('priority', s.priority),
    dependsOn: s.dependsOn === undefined ? [] : checkStringArray('dependsOn', s.dependsOn, { nonEmpty: false, item: checkId }),
    maxRetries: s.maxRetries === undefined ? taskDefaults.maxRetries : checkInt('maxRetries', s.maxRetries, 0, limits.maxRetries),
    backoffMs: s.backoffMs === undefined ? taskDefaults.backoffMs : checkInt('backoffMs', s.backoffMs, 0, 3_600_000),
    verify: s.verify === undefined ? false : checkBool('verify', s.verify),
  };
  if (s.deadline !== undefined) record.deadline = checkTime('deadline', s.deadline);
  if (s.timeoutMs !== undefined) record.timeoutMs = checkInt('timeoutMs', s.timeoutMs, 1, 2 ** 31);
  if (s.owner !== undefined) record.owner = checkName('owner', s.owner);
  if (s.idempotencyKey !== undefined) record.idempotencyKey = checkName('idempotencyKey', s.idempotencyKey);
  if (s.parentTaskId !== undefined) record.parentTaskId = checkId('parentTaskId', s.parentTaskId);
  if (s.notify !== undefined && checkBool('notify', s.notify)) record.notify = true;
  if (s.runAt !== undefined && s.delayMs !== undefined) throw new ValidationError('runAt', 'give runAt (a time) or delayMs (a duration), not both');
  if (s.runAt !== undefined) record.runAt = checkTime('runAt', s.runAt);
  if (s.delayMs !== undefined) record.delayMs = checkInt('delayMs', s.delayMs, 0, limits.maxDelayMs);
  if (s.assign !== undefined && s.assign !== 'direct' && s.assign !== 'auction')
    throw new ValidationError('assign', `must be 'direct' or 'auction'; got ${preview(s.assign)}`);
  const assign = (s.assign as 'direct' | 'auction' | undefined) ?? lookups.assignmentFor?.(record.type) ?? 'direct';
  if (assign === 'auction') {
    record.assign = 'auction';
    const a = s.auction === undefined ? {} : checkKeys('auction', s.auction, ['windowMs', 'onNoBids']);
    if (a.onNoBids !== undefined && a.onNoBids !== 'fail' && a.onNoBids !== 'queue')
      throw new ValidationError('auction.onNoBids', `must be 'fail' or 'queue'; got ${preview(a.onNoBids)}`);
    record.auction = {
      windowMs: a.windowMs === undefined ? defaultAuctionWindowMs : checkInt('auction.windowMs', a.windowMs, 1, 3_600_000),
      onNoBids: (a.onNoBids as 'fail' | 'queue' | undefined) ?? 'fail',
    };
  } else if (s.auction !== undefined) {
    throw new ValidationError('auction', `only applies to auctioned tasks (assign: 'auction', or createHive assignment { ${record.type}: 'auction' })`);
  }
  if (s.phase !== undefined) record.phase = checkName('phase', s.phase);
  return record;
}

/** A sub-task's ancestors: its parent's plus the parent. The parent must already exist (not be in the same batch). */
function ancestorsOf(r: TaskSpecRecord, lookups: SpecLookups): string[] {
  const parent = r.parentTaskId!;
  const above = lookups.taskAncestors?.(parent);
  if (above === undefined) throw new NotFoundError('task', parent, ` (task ${r.id} names it as parentTaskId; it must be an existing task)`);
  if (above.length + 1 > maxTaskDepth)
    throw new ValidationError('parentTaskId', `${parent} is already ${above.length + 1} levels deep; sub-tasks nest at most ${maxTaskDepth} levels`);
  return [...above, parent];
}

/**
 * Orders a batch so that every task comes after the batch members it depends on; reports a cycle.
 * Depth-first with an explicit stack: a chain as long as the batch must not overflow the call stack.
 */
function topoOrder(records: TaskSpecRecord[], byId: Map<string, TaskSpecRecord>): TaskSpecRecord[] {
  const out: TaskSpecRecord[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of records) {
    if (state.has(root.id)) continue;
    const stack: Array<{ record: TaskSpecRecord; next: number }> = [{ record: root, next: 0 }];
    state.set(root.id, 'visiting');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next === top.record.dependsOn.length) {
        stack.pop();
        state.set(top.record.id, 'done');
        out.push(top.record);
        continue;
      }
      const dep = byId.get(top.record.dependsOn[top.next++]!);
      if (!dep) continue;
      const s = state.get(dep.id);
      if (s === 'done') continue;
      if (s === 'visiting') {
        const from = stack.findIndex((f) => f.record.id === dep.id);
        throw new DependencyCycleError([...stack.slice(from).map((f) => f.record.id), dep.id]);
      }
      state.set(dep.id, 'visiting');
      stack.push({ record: dep, next: 0 });
    }
  }
  return out;
}
