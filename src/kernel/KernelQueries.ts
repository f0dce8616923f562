/** @module KernelQueries: read-only questions about the kernel's actors, answered from memory or the store. */
import { address, coordinatorAddress, parseAddress, taskAddress, type KindName } from '../../machines/address.js';
import type { AgentContext } from '../../machines/agent.js';
import type { TaskContext } from '../../machines/task.js';
import type { RemoteWorkerContext } from '../../machines/remoteWorker.js';
import type { StoredActor } from '../store/HiveStore.js';
import type { KernelStore } from '../store/KernelStore.js';
import { toAgentView, toTaskView, type AgentView, type TaskView } from '../views.js';
import { statusOf } from './ActorKind.js';
import { upcastTaskContext } from './kinds/upcastTaskContext.js';
import type { ColonyState } from './ColonyIndex.js';
import type { KernelCore } from './KernelCore.js';
import { pendingAudit, type AuditRecord } from './audit/AuditLog.js';
import { queuePressure, type QueuePressure } from './queuePressure.js';

export interface KernelStatus {
  agents: Record<string, number>;
  tasks: Record<string, number>;
  queued: number;
  timers: number;
  lastSeq: number;
  liveTasks: number;
}

export abstract class KernelQueries {
  constructor(
    protected readonly core: KernelCore,
    private readonly storeRef: KernelStore,
  ) {}

  protected abstract lastSeq(): number;

  /** Status of a task, from memory or the store; undefined when unknown or pruned. */
  taskStatus(id: string): string | undefined {
    return this.core.taskStatus(id);
  }

  hasTask(id: string): boolean {
    return this.core.taskStatus(id) !== undefined;
  }

  getTask(id: string): TaskView | undefined {
    const snap = this.core.current('task', id);
    if (snap) return toTaskView(statusOf(snap), snap.context as TaskContext);
    if (this.core.pruning.has(id)) return undefined;
    const rec = this.storeRef.getActor(taskAddress(id));
    return rec && toTaskView(rec.status, upcastTaskContext((rec.snapshot as { context: unknown }).context));
  }

  /** The ancestors of a task (root first; [] for a top-level task), or undefined when there is no such task. */
  taskAncestors(id: string): string[] | undefined {
    const snap = this.core.current('task', id);
    if (snap) return (snap.context as TaskContext).spec.ancestors ?? [];
    if (this.core.pruning.has(id)) return undefined;
    const rec = this.storeRef.getActor(taskAddress(id));
    return rec && (upcastTaskContext((rec.snapshot as { context: unknown }).context).spec.ancestors ?? []);
  }

  /**
   * An actor as it would be stored now: from memory when in memory, else from the store.
   * @example kernel.actorSnapshot('task:t1')?.status
   */
  actorSnapshot(text: string): StoredActor | undefined {
    const parsed = parseAddress(text);
    if (!parsed) return undefined;
    const slot = this.core.slot(parsed.kind, parsed.id);
    if (slot) return this.core.stored(parsed.kind, slot);
    if (parsed.kind === 'task' && this.core.pruning.has(parsed.id)) return undefined;
    if (this.core.removed.has(address(parsed.kind, parsed.id))) return undefined;
    return this.storeRef.getActor(address(parsed.kind, parsed.id));
  }

  /**
   * Actors of one kind in memory now, as the store would keep them (for read models over a kind).
   * @example kernel.hostedOfKind('auction')
   */
  hostedOfKind(kind: KindName): Array<[string, StoredActor]> {
    const out: Array<[string, StoredActor]> = [];
    for (const [id, slot] of this.core.actors.get(kind)!) out.push([address(kind, id), this.core.stored(kind, slot)]);
    return out;
  }

  /**
   * The ready queue per task type, with why a type cannot be assigned whatever the load (no capable
   * agent, or none this process has a handler for), and the time of the last applied input.
   * @example kernel.queueFigures().types.find((t) => t.gap === 'capability')
   */
  queueFigures(): { at: number; types: Array<{ taskType: string; queued: number; gap?: 'capability' | 'handler' }> } {
    const counts = new Map<string, number>();
    for (const id of this.core.queue.list()) {
      const type = (this.core.current('task', id)?.context as TaskContext | undefined)?.spec.type;
      if (type !== undefined) counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    const types = [...counts].map(([taskType, queued]) => {
      const gap = this.core.agents.gap(taskType, []);
      return { taskType, queued, ...(gap ? { gap } : {}) };
    });
    return { at: this.core.at, types };
  }

  /** Auctions whose bidding window is open now. */
  openAuctions(): number {
    let n = 0;
    for (const slot of this.core.actors.get('auction')!.values()) if (statusOf((slot.snap ?? slot.persisted)!) === 'open') n++;
    return n;
  }

  /** Audit records derived since the last checkpoint (not yet in the store). */
  pendingAudit(): readonly AuditRecord[] {
    return pendingAudit(this.core);
  }

  /**
   * Whether an actor of a kind that never finishes (agents, remote workers, ...) exists: such actors
   * stay in memory from their creation (or recovery) on, so no store read is needed.
   * @example kernel.hostsLiveActor('remote', 'a1')
   */
  hostsLiveActor(kind: KindName, id: string): boolean {
    return this.core.slot(kind, id) !== undefined;
  }

  /** Addresses of the actors in memory now (coordinator, agents, live tasks, colonies, workers). */
  hostedAddresses(): string[] {
    const out: string[] = [coordinatorAddress];
    for (const [kind, actors] of this.core.actors) {
      if (kind === 'coordinator') continue;
      for (const id of actors.keys()) out.push(address(kind, id));
    }
    return out;
  }

  /**
   * An actor of a kind that stays in memory until it is deleted (colonies, workers): its status and context.
   * @example kernel.actorState('worker', 'c1/w-1')?.status
   */
  actorState(kind: KindName, id: string): { status: string; context: unknown } | undefined {
    const snap = this.core.current(kind, id);
    return snap && { status: statusOf(snap), context: snap.context };
  }

  /** Ids of the actors of one kind in memory. */
  actorIds(kind: KindName): IterableIterator<string> {
    return this.core.actors.get(kind)!.keys();
  }

  /** When a durable timer is due; undefined when it is not armed. */
  timerDue(timerId: string): number | undefined {
    return this.core.timers.get(timerId)?.due;
  }

  /** A colony's queue, slots and finished workers as the kernel keeps them (read only). */
  colonyIndex(colonyId: string): Readonly<ColonyState> {
    return this.core.colonies.get(colonyId);
  }

  /**
   * Ids of the actors of one kind in memory now (for schedules and rate limits: all live ones).
   * @example kernel.idsOf('schedule') // ['nightly']
   */
  idsOf(kind: KindName): string[] {
    return [...this.core.actors.get(kind)!.keys()];
  }

  agentContext(id: string): AgentContext | undefined {
    return this.core.current('agent', id)?.context as AgentContext | undefined;
  }

  getAgent(id: string): AgentView | undefined {
    const snap = this.core.current('agent', id);
    const worker = this.core.current('remote', id);
    return (
      snap && toAgentView(statusOf(snap), snap.context as AgentContext, worker && { status: statusOf(worker), context: worker.context as RemoteWorkerContext })
    );
  }

  listAgents(): AgentView[] {
    return [...this.core.actors.get('agent')!.keys()].map((id) => this.getAgent(id)!).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  taskForIdempotencyKey(key: string): string | undefined {
    return this.core.idempotencyKeys.get(key) ?? this.storeRef.taskForIdempotencyKey(key);
  }

  /** Tasks newest first, live ones from memory merged with stored ones. */
  listTasks(filter: { status?: string; type?: string; owner?: string; limit?: number }): TaskView[] {
    const limit = filter.limit ?? Infinity;
    const matches = (v: TaskView) =>
      (filter.status === undefined || v.status === filter.status) &&
      (filter.type === undefined || v.type === filter.type) &&
      (filter.owner === undefined || v.owner === filter.owner);
    const tasks = this.core.actors.get('task')!;
    const live: Array<{ order: number; view: TaskView }> = [];
    for (const slot of tasks.values()) {
      const snap = (slot.snap ?? slot.persisted)!;
      const view = toTaskView(statusOf(snap), snap.context as TaskContext);
      if (matches(view)) live.push({ order: (snap.context as TaskContext).spec.order, view });
    }
    live.sort((a, b) => b.order - a.order);
    const out: TaskView[] = [];
    let li = 0;
    const pushLive = (aboveOrder: number) => {
      while (li < live.length && live[li]!.order > aboveOrder && out.length < limit) out.push(live[li++]!.view);
    };
    for (const { id, order } of this.storeRef.taskIds(filter.status)) {
      if (out.length >= limit) break;
      pushLive(order);
      if (tasks.has(id) || this.core.pruning.has(id) || out.length >= limit) continue;
      const view = this.getTask(id);
      if (view && matches(view)) out.push(view);
    }
    pushLive(-Infinity);
    return out;
  }

  /**
   * The pending queue against `queueLimit` (see `queuePressure.ts`, the one place that decides it).
   * @example kernel.queuePressure().over // true while more tasks are queued than the limit
   */
  queuePressure(): QueuePressure {
    return queuePressure(this.core);
  }

  /** Tasks escalated at their deadline that still wait on a dependency, oldest escalation first. */
  overdueTasks(): string[] {
    return [...this.core.overdue];
  }

  /** Queued tasks per type that no agent can take whatever the load (no capable agent, or none with a handler here). */
  unassignableByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [type, n] of this.core.queue.countsByType()) if (this.core.agents.gap(type, []) !== undefined) out.set(type, n);
    return out;
  }

  /** Whether the hive's store failed and intake stopped (the coordinator is `halted`). */
  haltReason(): string | undefined {
    const c = this.core.current('coordinator', '');
    return c && statusOf(c) === 'halted' ? ((c.context as { haltReason?: string }).haltReason ?? 'halted') : undefined;
  }

  /** The first journal record kept (its time starts a session that has no session actor). */
  firstInputAt(): number | undefined {
    for (const rec of this.storeRef.journalAfter(0)) return rec.at;
    return undefined;
  }

  /** Counts of agents and tasks by status. */
  status(): KernelStatus {
    const agents: Record<string, number> = {};
    for (const slot of this.core.actors.get('agent')!.values()) {
      const s = statusOf((slot.snap ?? slot.persisted)!);
      agents[s] = (agents[s] ?? 0) + 1;
    }
    const tasks = Object.fromEntries(this.core.taskCounts);
    return {
      agents,
      tasks,
      queued: this.core.queue.size,
      timers: this.core.timers.size,
      lastSeq: this.lastSeq(),
      liveTasks: this.core.actors.get('task')!.size,
    };
  }
}
