/**
 * @module KernelCore: the deterministic part of the kernel. It holds every actor's snapshot, routes
 * envelopes between actors in one FIFO order, and applies one journal record at a time:
 * `apply(record)` returns what it produced (effects, notifications) as data and performs nothing.
 */
import type { AnyStateMachine } from 'xstate';
import { address, parseAddress, type Address, type KindName } from '../../machines/address.js';
import type { Notification, WorkRequest } from '../../machines/types.js';
import type { WorkerRequest } from '../../machines/worker.js';
import type { MessageRequest } from '../../machines/message.js';
import type { StoredTimer } from '../store/HiveStore.js';
import { statusOf, type ActorKind, type Slot } from './ActorKind.js';
import { AgentPool } from './AgentPool.js';
import { ColonyIndex } from './ColonyIndex.js';
import { applyInput } from './applyInput.js';
import { auditEmitted, auditInput } from './audit/AuditLog.js';
import { flushPosted } from './insights/insightsFacts.js';
import type { AssignmentStrategy } from './AssignmentStrategy.js';
import { routedStrategy } from './auction/routedStrategy.js';
import type { Envelope, KernelEvent, Origin } from './Envelope.js';
import type { JournalRecord } from './inputs.js';
import { Inspection } from './Inspection.js';
import { MachineStepper, persist, type PersistedSnap, type Snap } from './MachineStepper.js';
import { kinds as builtinKinds } from './kinds/index.js';
import { react } from './reactions.js';
import { schedule } from './Scheduler.js';
import type { StepLog } from './StepLog.js';
import { emptyOutput, type StepOutput } from './StepOutput.js';
import { SuspendedTasks } from './SuspendedTasks.js';
import { TaskQueue } from './TaskQueue.js';
import { TimerTable } from './TimerTable.js';
import { TaskTree } from './TaskTree.js';
import { TriggerKeys } from './TriggerKeys.js';
import type { CheckpointWrite, StoredActor } from '../store/HiveStore.js';
import type { KernelStore } from '../store/KernelStore.js';

/** Machines to host instead of the built-in ones (replay uses this to check a changed machine). */
export type KernelMachines = Partial<Record<KindName, AnyStateMachine>>;

export class KernelCore {
  readonly kinds: Record<KindName, ActorKind>;
  /** Actors in memory, per kind. */
  readonly actors = new Map<KindName, Map<string, Slot>>();
  readonly queue = new TaskQueue();
  readonly agents = new AgentPool();
  readonly timers = new TimerTable();
  /** Each colony's queue, slots, busy triggers and finished workers (derived from the worker actors). */
  readonly colonies = new ColonyIndex();
  /** Unfinished sub-tasks by ancestor, for subtree cancel (derived from the live tasks). */
  readonly taskTree = new TaskTree();
  /** Idempotency keys of trigger invocations (checkpointed). */
  readonly triggerKeys = new TriggerKeys();
  /** Actors deleted (pruned workers), removed from the store by the next checkpoint. */
  readonly removed = new Set<Address>();
  readonly inspection = new Inspection();
  /** dependency id -> ids of tasks waiting on it */
  readonly dependents = new Map<string, Set<string>>();
  /** Suspended tasks by type (derived from the live tasks), for resuming them when a capable agent appears. */
  readonly suspended = new SuspendedTasks();
  /** What each waiting task lends its dependencies (priority inheritance; derived from the live tasks). */
  readonly boosts = new Map<string, number>();
  /** Tasks escalated at their deadline that still wait on a dependency (derived from the live tasks), for `report()`. */
  readonly overdue = new Set<string>();
  /** Tasks per status, stored and live: seeded from the store at recovery, then kept exact in memory. */
  readonly taskCounts = new Map<string, number>();
  /** Actors changed since the last checkpoint. */
  dirty = new Set<Address>();
  /** Idempotency keys not yet in the store. */
  readonly idempotencyKeys = new Map<string, string>();
  /** Tasks chosen for pruning, deleted by the next checkpoint. */
  readonly pruning = new Map<string, CheckpointWrite['pruned'][number]>();
  /** Task addresses in the checkpoint being written, with the status it writes. */
  writing = new Map<string, string>();
  /** Set by a `hive.prune` input that asked to compact the journal; used by the next checkpoint. */
  compactBefore: number | undefined;
  scheduleNeeded = false;
  /** Queued tasks the scheduling pass under way set aside (still queued for `queuePressure`). */
  setAside = 0;
  /** When set, what each input does to each actor is recorded for the history index (see StepLog). */
  steps: StepLog | undefined;
  /** Time and sequence number of the input being applied. */
  at = 0;
  seq = 0;
  private readonly mailbox: Envelope[] = [];
  private out: StepOutput = emptyOutput();

  constructor(
    readonly store: KernelStore,
    readonly strategy: AssignmentStrategy = routedStrategy,
    machines: KernelMachines = {},
  ) {
    this.kinds = { ...builtinKinds };
    for (const [name, machine] of Object.entries(machines) as Array<[KindName, AnyStateMachine]>) {
      this.kinds[name] = { ...builtinKinds[name], stepper: new MachineStepper(machine) as ActorKind['stepper'] };
    }
    for (const name of Object.keys(this.kinds) as KindName[]) this.actors.set(name, new Map());
  }

  // ---------------------------------------------------------------- applying

  /** Applies one journaled input. Deterministic: reads only the record and current state. */
  apply(rec: JournalRecord): StepOutput {
    this.seq = rec.seq;
    this.at = rec.at;
    const out = (this.out = emptyOutput());
    if (this.inspection.active) this.inspection.record(this, { kind: 'input.applied', input: rec.input });
    out.result = applyInput(this, rec.input);
    this.drain();
    if (flushPosted(this)) this.drain();
    auditInput(this, rec.input);
    schedule(this);
    this.out = emptyOutput();
    return out;
  }

  /** Queues a message; delivered in FIFO order by `drain`. */
  deliver(to: Address, event: KernelEvent, from: Origin): void {
    this.mailbox.push({ from, to, event, causeSeq: this.seq });
  }

  /** Delivers queued messages in FIFO order until none is left. Messages to finished or unknown actors are dropped. */
  drain(): void {
    for (let i = 0; i < this.mailbox.length; i++) {
      const env = this.mailbox[i]!;
      const parsed = parseAddress(env.to);
      if (!parsed) continue;
      const slot = this.actors.get(parsed.kind)?.get(parsed.id);
      if (!slot) continue;
      const kind = this.kinds[parsed.kind];
      const current = slot.snap ?? slot.persisted!;
      const before = statusOf(current);
      if (kind.isFinished(before) && !kind.revivedBy?.(env.event)) continue;
      const snap = this.hosted(parsed.kind, slot);
      if (snap.status !== 'active') continue; // a final state takes no more messages (a stopped agent)
      if (this.inspection.active) this.inspection.record(this, { kind: 'message', from: env.from, to: env.to, event: env.event });
      const [next, emitted] = kind.stepper.step(snap, env.event);
      slot.snap = next;
      this.dirty.add(env.to);
      this.steps?.stepped(this.seq, this.at, env.from, env.to, env.event.type, snap, next);
      const after = statusOf(next);
      if (this.inspection.active && after !== before) this.inspection.transition(this, env.to, before, after, env.event);
      this.handleEmitted(env.to, emitted);
      kind.afterMessage?.(this, parsed.id, next, before);
    }
    this.mailbox.length = 0;
  }

  /** Routes what an actor emitted: notifications to listeners, effect requests and messages to their reactions. */
  handleEmitted(from: Address, emitted: Array<{ type: string }>): void {
    for (const e of emitted) {
      auditEmitted(this, from, e as { type: string });
      if (e.type.startsWith('effect.')) react(this, from, e);
      else this.out.notifications.push(e as Notification);
    }
  }

  /** Hands an effect to the live host (dropped by recovery and replay). */
  request(effect: WorkRequest | WorkerRequest | MessageRequest): void {
    this.out.effects.push(effect);
    if (this.inspection.active && effect.type === 'effect.message.deliver') {
      const { messageId, delivery, agentId } = effect;
      this.inspection.record(this, { kind: 'message.dispatched', messageId, delivery, agentId });
    } else if (this.inspection.active && 'taskId' in effect && effect.type !== 'effect.auction.ask') {
      const { type, taskId, attempt } = effect;
      this.inspection.record(this, {
        kind: 'effect.dispatched',
        effect: type.slice(7) as 'execute' | 'verify' | 'abort',
        taskId,
        attempt,
        ...(type === 'effect.execute' ? { agentId: effect.agentId } : {}),
      });
    }
  }

  /** Marks a task as settled for the live host's waiters. */
  settled(taskId: string): void {
    this.out.settled.push(taskId);
  }

  // ---------------------------------------------------------------- actors

  slot(kind: KindName, id: string): Slot | undefined {
    return this.actors.get(kind)!.get(id);
  }

  /** The actor's current state (hosted or persisted) without hosting it. */
  current(kind: KindName, id: string): Snap<unknown> | PersistedSnap<unknown> | undefined {
    const slot = this.slot(kind, id);
    return slot && (slot.snap ?? slot.persisted);
  }

  /** Creates an actor from its machine input; what entering its first state emitted is routed. */
  create(kind: KindName, id: string, input: unknown): Snap<unknown> {
    const k = this.kinds[kind];
    const [snap, emitted] = k.stepper.initial(input);
    const addr = address(kind, id);
    this.actors.get(kind)!.set(id, { snap });
    this.dirty.add(addr);
    this.steps?.created(this.seq, this.at, addr, snap);
    if (this.inspection.active) this.inspection.created(this, addr, k.parentOf(snap.context), kind, statusOf(snap), false);
    this.handleEmitted(addr, emitted);
    k.onAdded?.(this, id, snap);
    return snap;
  }

  /** Puts back an actor from its stored form; it stays persisted until its first message (idle passivation). */
  restore(kind: KindName, id: string, stored: StoredActor): void {
    const k = this.kinds[kind];
    const persisted = k.restore(stored.snapshot);
    this.actors.get(kind)!.set(id, { persisted, storedStatus: stored.status });
    if (this.inspection.active) this.inspection.created(this, address(kind, id), k.parentOf(persisted.context), kind, statusOf(persisted), true);
    k.onAdded?.(this, id, persisted);
  }

  /** The steppable snapshot, restored from the persisted one on first use. */
  hosted(kind: KindName, slot: Slot): Snap<unknown> {
    if (!slot.snap) {
      slot.snap = this.kinds[kind].stepper.restore(slot.persisted!);
      slot.persisted = undefined;
    }
    return slot.snap;
  }

  /** An actor as the store keeps it. */
  stored(kind: KindName, slot: Slot): StoredActor {
    const snap = slot.snap ?? slot.persisted!;
    return { kind, status: statusOf(snap), order: this.kinds[kind].order(snap.context), snapshot: slot.snap ? persist(slot.snap) : slot.persisted };
  }

  /** Status of a task, from memory or the store; undefined when unknown or pruned. */
  taskStatus(id: string): string | undefined {
    const snap = this.current('task', id);
    if (snap) return statusOf(snap);
    if (this.pruning.has(id)) return undefined;
    return this.store.getActor(address('task', id))?.status;
  }

  // ---------------------------------------------------------------- indexes kept beside the actors

  countTask(from: string | undefined, to: string | undefined): void {
    if (from !== undefined) this.bump(from, -1);
    if (to !== undefined) this.bump(to, 1);
  }

  private bump(status: string, delta: number): void {
    const n = (this.taskCounts.get(status) ?? 0) + delta;
    if (n === 0) this.taskCounts.delete(status);
    else this.taskCounts.set(status, n);
  }

  addDependent(dep: string, id: string): void {
    let set = this.dependents.get(dep);
    if (!set) this.dependents.set(dep, (set = new Set()));
    set.add(id);
  }

  setTimer(timer: StoredTimer): void {
    this.timers.set(timer);
  }
}
