/** @module readModels: @xstate/store read models fed from the inspection stream (counts by status, per-agent load and success rate, the queue). */
import { createStore } from '@xstate/store';
import { addressId, parseAddress } from '../../machines/address.js';
import type { InspectionRecord } from '../kernel/InspectionRecord.js';

export interface AgentLoad {
  status: string;
  load: number;
  succeeded: number;
  failed: number;
  /** succeeded / (succeeded + failed); null before the first outcome. */
  successRate: number | null;
}

export interface ReadModelContext {
  /** Last sequence number folded in. */
  seq: number;
  tasksByStatus: Record<string, number>;
  agentsByStatus: Record<string, number>;
  agents: Record<string, AgentLoad>;
  /** Pending tasks in post order (what waits for an agent or a dependency). */
  queue: string[];
  /** Status of every task seen, to move counts on transitions. */
  taskStatus: Record<string, string>;
}

/** An actor as a seed: what a replay or a live hive reports for "now". */
export interface SeedActor {
  address: string;
  kind: string;
  status: string;
  snapshot: unknown;
}

// A null-prototype map: any task id, `__proto__` included, is an ordinary key.
const emptyContext = (): ReadModelContext => ({
  seq: 0,
  tasksByStatus: {},
  agentsByStatus: {},
  agents: {},
  queue: [],
  taskStatus: Object.create(null) as Record<string, string>,
});

/** Own keys only: ids such as 'constructor' or 'toString' must not find Object.prototype's members. */
const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

const bump = (counts: Record<string, number>, key: string, by: number): Record<string, number> => {
  const next = { ...counts, [key]: (own(counts, key) ?? 0) + by };
  if (next[key] === 0) delete next[key];
  return next;
};

const rate = (a: { succeeded: number; failed: number }) => (a.succeeded + a.failed === 0 ? null : a.succeeded / (a.succeeded + a.failed));

function setTask(ctx: ReadModelContext, id: string, status: string): ReadModelContext {
  const before = own(ctx.taskStatus, id);
  if (before === status) return ctx;
  let tasksByStatus = before === undefined ? ctx.tasksByStatus : bump(ctx.tasksByStatus, before, -1);
  tasksByStatus = bump(tasksByStatus, status, 1);
  const queue =
    status === 'pending' ? (ctx.queue.includes(id) ? ctx.queue : [...ctx.queue, id]) : before === 'pending' ? ctx.queue.filter((q) => q !== id) : ctx.queue;
  // The status map is private bookkeeping (readModelView leaves it out) and holds every task: it is
  // updated in place, since copying it per record made a record cost O(tasks) and a seed O(tasks²).
  ctx.taskStatus[id] = status;
  return { ...ctx, tasksByStatus, queue };
}

function setAgent(ctx: ReadModelContext, id: string, status: string, patch: Partial<AgentLoad> = {}): ReadModelContext {
  const before = own(ctx.agents, id);
  let agentsByStatus = ctx.agentsByStatus;
  if (before?.status !== status) {
    if (before) agentsByStatus = bump(agentsByStatus, before.status, -1);
    agentsByStatus = bump(agentsByStatus, status, 1);
  }
  const base = before ?? { status, load: 0, succeeded: 0, failed: 0, successRate: null };
  const next = { ...base, ...patch, status };
  next.successRate = rate(next);
  return { ...ctx, agentsByStatus, agents: { ...ctx.agents, [id]: next } };
}

/** Folds one inspection record into the read models. */
function fold(ctx: ReadModelContext, r: InspectionRecord): ReadModelContext {
  let next = ctx.seq === r.seq ? ctx : { ...ctx, seq: r.seq };
  switch (r.kind) {
    case 'actor.created':
    case 'actor.restored':
    case 'transition': {
      const address = r.address;
      const state = r.kind === 'transition' ? r.to : r.state;
      const parsed = parseAddress(address);
      if (parsed?.kind === 'task') next = setTask(next, parsed.id, state);
      else if (parsed?.kind === 'agent') next = setAgent(next, parsed.id, state);
      break;
    }
    case 'message': {
      const to = parseAddress(r.to);
      if (to?.kind !== 'agent') break;
      const id = to.id;
      const a = own(next.agents, id);
      if (!a) break;
      if (r.event.type === 'hive.task.assigned') next = setAgent(next, id, a.status, { load: a.load + 1 });
      else if (r.event.type === 'hive.task.released') {
        const outcome = r.event.outcome;
        next = setAgent(next, id, a.status, {
          load: Math.max(0, a.load - 1),
          succeeded: a.succeeded + (outcome === 'succeeded' ? 1 : 0),
          failed: a.failed + (outcome === 'failed' ? 1 : 0),
        });
      }
      break;
    }
    default:
      break;
  }
  return next;
}

/** Starts from a list of actors (a replay's or a hive's "now"). */
function seed(actors: SeedActor[], seq: number): ReadModelContext {
  let ctx = { ...emptyContext(), seq };
  const pending: Array<[number, string]> = [];
  const tasksByStatus: Record<string, number> = {};
  for (const a of actors) {
    const c = (a.snapshot as { context?: Record<string, unknown> }).context ?? {};
    if (a.kind === 'task') {
      // Counted here rather than through setTask: its copies would make a seed quadratic.
      ctx.taskStatus[addressId(a.address)] = a.status;
      tasksByStatus[a.status] = (own(tasksByStatus, a.status) ?? 0) + 1;
      if (a.status === 'pending') pending.push([Number(c.order ?? 0), addressId(a.address)]);
    } else if (a.kind === 'agent') {
      ctx = setAgent(ctx, addressId(a.address), a.status, { load: Number(c.load ?? 0), succeeded: Number(c.succeeded ?? 0), failed: Number(c.failed ?? 0) });
    }
  }
  ctx.queue = pending.sort((x, y) => x[0] - y[0]).map(([, id]) => id);
  ctx.tasksByStatus = tasksByStatus;
  return ctx;
}

/**
 * Creates the read-model store. Send it inspection records (`record`) or reset it from a list of
 * actors (`seed`); the dashboard and the web page read `getSnapshot().context`.
 * @example
 * const models = createReadModels(); hive.inspect((record) => models.trigger.record({ record }))
 * models.getSnapshot().context.tasksByStatus
 */
export function createReadModels() {
  return createStore({
    context: emptyContext(),
    on: {
      record: (ctx, e: { record: InspectionRecord }) => fold(ctx, e.record),
      seed: (_ctx, e: { actors: SeedActor[]; seq: number }) => seed(e.actors, e.seq),
    },
  });
}

export type ReadModels = ReturnType<typeof createReadModels>;

/**
 * The read models without the per-task status map (what the page and dashboard show).
 * @example readModelView(models.getSnapshot().context).agents
 */
export function readModelView(ctx: ReadModelContext): Omit<ReadModelContext, 'taskStatus'> {
  const { taskStatus: _ignored, ...rest } = ctx;
  return rest;
}
