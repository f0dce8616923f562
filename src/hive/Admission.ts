/**
 * @module Admission: what happens to an API call before its input is journaled: validation, id
 * reservation (two concurrent calls cannot take one id), and idempotency keys (a known key returns
 * the existing task, even while its first post is still being written).
 */
import type { Handler } from '../effects/types.js';
import { ValidationError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { agentRecord, readTaskSpecs, taskRecords, type AgentSpec, type Bidder, type TaskSpec } from '../specs.js';
import type { AgentView, TaskView } from '../views.js';

export class Admission {
  private readonly reservedTasks = new Set<string>();
  private readonly reservedAgents = new Set<string>();
  private readonly pendingKeys = new Map<string, Promise<TaskView[]>>();

  constructor(
    private readonly kernel: Kernel,
    private readonly assignment: ReadonlyMap<string, 'direct' | 'auction'> = new Map(),
  ) {}

  /**
   * Validates an agent spec, reserves its id while `journal` runs, and returns the new agent.
   * @example await admission.spawnAgent(spec, (record) => kernel.submit({ type: 'agent.spawn', agent: record }))
   */
  async spawnAgent(spec: AgentSpec, journal: (record: ReturnType<typeof agentRecord>['record'], handler: Handler | undefined, bid?: Bidder) => Promise<unknown>): Promise<AgentView> {
    const { record, handler, bid } = agentRecord(spec, {
      agentLevel: (id) => this.kernel.agentContext(id)?.level,
      agentExists: (id) => this.reservedAgents.has(id) || this.kernel.agentContext(id) !== undefined,
      taskExists: () => false,
    });
    this.reservedAgents.add(record.id);
    try {
      await journal(record, handler, bid);
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
    specs.forEach((spec, i) => {
      const key = spec.idempotencyKey as unknown;
      if (typeof key === 'string') {
        const known = this.kernel.taskForIdempotencyKey(key);
        const view = known === undefined ? undefined : this.kernel.getTask(known);
        if (view) return void existing.set(i, view);
        const pending = this.pendingKeys.get(key);
        if (pending) return void existing.set(i, pending);
      }
      fresh.push(spec);
    });
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

  private postFresh(fresh: TaskSpec[]): Promise<TaskView[]> {
    if (fresh.length === 0) return Promise.resolve([]);
    const { records, ordered } = taskRecords(fresh, {
      taskExists: (id) => this.reservedTasks.has(id) || this.kernel.hasTask(id),
      agentExists: () => false,
      agentLevel: () => undefined,
      assignmentFor: (type) => this.assignment.get(type),
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
