/**
 * @module Admission: what happens to an API call before its input is journaled: validation, id
 * reservation (two concurrent calls cannot take one id), and idempotency keys (a known key returns
 * the existing task, even while its first post is still being written).
 */
import type { Handler } from '../effects/types.js';
import { DuplicateIdError, ValidationError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { agentRecord, readTaskSpecs, taskRecords, type AgentSpec, type Bidder, type TaskSpec } from '../specs.js';
import type { AgentView, TaskView } from '../views.js';

/** Agent fields that make up its spec: the same values again mean the same agent. */
const agentSpecFields = [
  'name',
  'capabilities',
  'priority',
  'maxConcurrent',
  'level',
  'parentId',
  'owner',
  'failureThreshold',
  'heartbeatMs',
  'maxRestarts',
  'restartBackoffMs',
] as const;

export class Admission {
  private readonly reservedTasks = new Set<string>();
  /** Agent ids being journaled, with the registration in progress. */
  private readonly reservedAgents = new Map<string, Promise<unknown>>();
  private readonly pendingKeys = new Map<string, Promise<TaskView[]>>();

  constructor(
    private readonly kernel: Kernel,
    private readonly assignment: ReadonlyMap<string, 'direct' | 'auction'> = new Map(),
  ) {}

  /**
   * Validates an agent spec, reserves its id while `journal` runs, and returns the new agent. An
   * agent that exists with the same spec is returned as it is (a program run again on its data
   * directory), its handler, if one is given, attached with `attach`; a different spec is a
   * DuplicateIdError naming the fields that differ.
   * @example await admission.spawnAgent(spec, (record) => kernel.submit({ type: 'agent.spawn', agent: record }), attach)
   */
  async spawnAgent(
    spec: AgentSpec,
    journal: (record: ReturnType<typeof agentRecord>['record'], handler: Handler | undefined, bid: Bidder | undefined) => Promise<unknown>,
    attach: (agentId: string, handler: Handler | undefined, bid: Bidder | undefined) => Promise<unknown>,
  ): Promise<AgentView> {
    const { record, handler, bid } = agentRecord(spec, {
      agentLevel: (id) => this.kernel.agentContext(id)?.level,
      agentExists: () => false,
      taskExists: () => false,
    });
    const inProgress = this.reservedAgents.get(record.id);
    if (inProgress) {
      // The same id is being registered right now: answer once that registration is settled.
      await inProgress.catch(() => undefined);
      return this.spawnAgent(spec, journal, attach);
    }
    const existing = this.kernel.agentContext(record.id);
    if (existing) {
      const differences = agentSpecFields
        .filter((f) => JSON.stringify(existing[f]) !== JSON.stringify(record[f]))
        .map((field) => ({ field, registered: existing[field], given: record[field] }));
      if (differences.length > 0) throw new DuplicateIdError('agent', record.id, differences);
      if (handler || bid) await attach(record.id, handler, bid);
      return this.kernel.getAgent(record.id)!;
    }
    const registering = journal(record, handler, bid);
    this.reservedAgents.set(record.id, registering);
    try {
      await registering;
    } finally {
      this.reservedAgents.delete(record.id);
    }
    return this.kernel.getAgent(record.id)!;
  }

  /**
   * Posts several tasks atomically (all or none) in one journal record; tasks with a known
   * idempotency key are answered with the existing task instead.
   */
  async postTasks(taskSpecs: TaskSpec[]): Promise<TaskView[]> {
    // Read once into plain copies: a getter or Proxy cannot throw (or answer differently) below.
    const specs = readTaskSpecs(taskSpecs);
    const existing = new Map<number, Promise<TaskView[]> | TaskView>();
    const fresh: TaskSpec[] = [];
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const key = spec.idempotencyKey as unknown;
      if (typeof key === 'string') {
        const known = this.kernel.taskForIdempotencyKey(key);
        const view = known === undefined ? undefined : this.kernel.getTask(known);
        const pending = view ? undefined : this.pendingKeys.get(key);
        if (view || pending) {
          existing.set(i, (view ?? pending)!);
          continue;
        }
      }
      fresh.push(spec);
    }
    const views = await this.postFresh(fresh);
    const out: TaskView[] = [];
    let fi = 0;
    for (let i = 0; i < specs.length; i++) {
      const e = existing.get(i);
      if (e === undefined) out.push(views[fi++]!);
      else if (e instanceof Promise) {
        const key = specs[i]!.idempotencyKey;
        out.push((await e).find((v) => v.idempotencyKey === key)!);
      } else out.push(e);
    }
    return out;
  }

  /** The hive's `assignment` option for a task type (undefined: the type's default, direct). */
  readonly assignmentFor = (type: string): 'direct' | 'auction' | undefined => this.assignment.get(type);

  private postFresh(fresh: TaskSpec[]): Promise<TaskView[]> {
    if (fresh.length === 0) return Promise.resolve([]);
    const { records, ordered } = taskRecords(fresh, {
      taskExists: (id) => this.reservedTasks.has(id) || this.kernel.hasTask(id),
      taskAncestors: (id) => this.kernel.taskAncestors(id),
      agentExists: () => false,
      agentLevel: () => undefined,
      assignmentFor: this.assignmentFor,
    });
    const keys = new Set<string>();
    for (const r of records) {
      if (r.idempotencyKey === undefined) continue;
      if (keys.has(r.idempotencyKey)) throw new ValidationError('idempotencyKey', `${JSON.stringify(r.idempotencyKey)} appears twice in one batch`);
      keys.add(r.idempotencyKey);
    }
    for (const r of records) this.reservedTasks.add(r.id);
    const created = this.kernel
      .submit({ type: 'task.post', tasks: ordered })
      .then(() => records.map((r) => this.kernel.getTask(r.id)!))
      .finally(() => {
        for (const r of records) this.reservedTasks.delete(r.id);
        for (const k of keys) this.pendingKeys.delete(k);
      });
    for (const k of keys) this.pendingKeys.set(k, created);
    return created;
  }
}
