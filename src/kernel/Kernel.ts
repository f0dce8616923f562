/**
 * @module Kernel: hosts every actor (coordinator, agents, tasks) as its own XState root, journals
 * each input before applying it, routes the messages actors emit in one FIFO order, assigns queued
 * tasks to agents, keeps durable timers, checkpoints atomically, passivates finished tasks and
 * recovers from the store. Given the same journal it always reaches the same states.
 */
import { createActor, type Actor, type AnyActorLogic } from 'xstate';
import type { Logger } from 'pino';
import { agentMachine, type AgentContext, type AgentEvent } from '../../machines/agent.js';
import { coordinatorMachine, effectivePriority, pickAgent, type AgentCandidate } from '../../machines/coordinator.js';
import { taskMachine, type TaskContext, type TaskEvent } from '../../machines/task.js';
import {
  agentAddress,
  coordinatorAddress,
  isTerminalTaskStatus,
  taskAddress,
  terminalTaskStatuses,
  type EffectRequest,
  type Notification,
} from '../../machines/types.js';
import type { Clock } from '../clock.js';
import { HiveClosedError, StoreError } from '../errors.js';
import type { CheckpointWrite, StoredActor } from '../store/HiveStore.js';
import type { KernelStore } from '../store/KernelStore.js';
import { toAgentView, toTaskView, type AgentView, type TaskView } from '../views.js';
import type { Input, JournalRecord, TaskSpecRecord } from './inputs.js';
import type { InspectionRecord, MachineName } from './InspectionRecord.js';
import { TaskQueue } from './TaskQueue.js';
import { TimerTable } from './TimerTable.js';

type TaskActor = Actor<typeof taskMachine>;
type AgentActor = Actor<typeof agentMachine>;
type CoordinatorActor = Actor<typeof coordinatorMachine>;

interface Slot<A> {
  actor: A;
  /** Status as last written to the store (undefined: never written). */
  storedStatus?: string;
}

/** What the kernel reads of a task: an actor's snapshot, or the persisted one of a task not hosted yet. */
type TaskSnap = { value: string; status: string; context: TaskContext };

/**
 * A live task. Restored tasks stay as their persisted snapshot (idle passivation, as for finished
 * tasks) until their first message hosts the XState actor: recovery then costs no actor creation for
 * the many tasks that are only waiting.
 */
interface TaskSlot {
  actor?: TaskActor;
  persisted?: TaskSnap;
  storedStatus?: string;
}

/** What the kernel asks the effect layer to do. Never called while replaying. */
export interface EffectRunner {
  execute(req: { taskId: string; attempt: number; agentId: string }): void;
  verify(req: { taskId: string; attempt: number }): void;
  abort(req: { taskId: string; attempt: number; reason: string }): void;
}

/** The machines the kernel hosts; replay may override them (to check a changed machine against a recording). */
export interface KernelMachines {
  task: typeof taskMachine;
  agent: typeof agentMachine;
  coordinator: typeof coordinatorMachine;
}

export interface KernelOptions {
  store: KernelStore;
  clock: Clock;
  logger: Logger;
  effects: EffectRunner;
  /** Checkpoint after this many inputs... */
  checkpointEvery: number;
  /** ...or this many milliseconds, whichever comes first (Infinity: no periodic checkpoint, as in replay). */
  checkpointMs: number;
  /** Replay only: machines to host instead of the built-in ones. */
  machines?: Partial<KernelMachines>;
}

/** A notification as listeners see it: the machine's fields plus the input that caused it. */
export type HiveEvent = Notification & { seq: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const orderOf = (seq: number, index: number) => seq * 65536 + index;

export class Kernel {
  private readonly tasks = new Map<string, TaskSlot>();
  private readonly agents = new Map<string, Slot<AgentActor>>();
  private readonly byCapability = new Map<string, Set<string>>();
  private coordinator!: Slot<CoordinatorActor>;
  private readonly queue = new TaskQueue();
  /** dependency id -> ids of tasks waiting on it */
  private readonly dependents = new Map<string, Set<string>>();
  readonly timers = new TimerTable();
  private readonly mailbox: Array<[string, { type: string; at: number }, string]> = [];
  private readonly inspectors = new Set<(r: InspectionRecord) => void>();
  /** Tasks per status, stored and live: seeded from the store at recovery, then kept exact in memory. */
  private readonly taskCounts = new Map<string, number>();
  /** Set by a `hive.prune` input that asked to compact the journal; used by the next checkpoint. */
  private compactBefore: number | undefined;
  /** Task addresses in the checkpoint being written, with the status it writes. */
  private writing = new Map<string, string>();
  private dirty = new Set<string>();
  /** Idempotency keys not yet in the store. */
  private readonly idempotencyKeys = new Map<string, string>();
  /** Tasks chosen for pruning, deleted by the next checkpoint. */
  private readonly pruning = new Map<string, CheckpointWrite['pruned'][number]>();
  private outbox: Array<() => void> = [];
  private replaying = false;
  private scheduleNeeded = false;
  private at = 0;
  private seq = 0;

  private lastSeq = 0;
  private lastAt = 0;
  private readonly intake: Array<{ rec: JournalRecord; state: 'writing' | 'written' | 'failed'; error?: unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  private appliedSinceCheckpoint = 0;
  private checkpointing: Promise<void> | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private firing = new Set<string>();
  private intakeDrained: Array<() => void> = [];
  private armedTimer: { handle: unknown; due: number } | undefined;
  private halted: Error | undefined;
  private closed = false;

  private readonly listeners = new Map<string, Set<(e: HiveEvent) => void>>();
  private readonly settledWaiters = new Map<string, Set<(view: TaskView) => void>>();

  private readonly m: KernelMachines;

  constructor(private readonly o: KernelOptions) {
    this.m = { task: taskMachine, agent: agentMachine, coordinator: coordinatorMachine, ...o.machines };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Restores the last checkpoint, replays the journal after it, then resumes work in flight. */
  recover(): { replayed: number; restoredTasks: number; restoredAgents: number } {
    const { store } = this.o;
    const cp = store.checkpoint();
    let restoredTasks = 0;
    let restoredAgents = 0;
    const coordinatorRecord = store.getActor(coordinatorAddress);
    this.coordinator = { actor: this.host(coordinatorAddress, this.m.coordinator, undefined, coordinatorRecord?.snapshot) as CoordinatorActor, storedStatus: coordinatorRecord?.status };
    for (const [address, rec] of store.liveActors()) {
      if (rec.kind === 'task') {
        const id = address.slice('task:'.length);
        this.tasks.set(id, { persisted: rec.snapshot as TaskSnap, storedStatus: rec.status });
        restoredTasks++;
      } else if (rec.kind === 'agent') {
        const id = address.slice('agent:'.length);
        this.agents.set(id, { actor: this.host(address, this.m.agent, undefined, rec.snapshot) as AgentActor, storedStatus: rec.status });
        restoredAgents++;
      }
    }
    for (const [id, slot] of this.agents) this.indexAgent(id, slot.actor.getSnapshot().context.capabilities);
    for (const [id, slot] of this.tasks) {
      const ctx = this.snap(slot).context;
      for (const dep of ctx.waitingOn) this.addDependent(dep, id);
      this.afterTask(id);
    }
    for (const [status, n] of Object.entries(store.countTasksByStatus())) this.taskCounts.set(status, n);
    this.timers.load(store.storedTimers());
    this.lastSeq = cp?.seq ?? 0;
    this.lastAt = cp?.at ?? 0;
    let replayed = 0;
    this.replaying = true;
    try {
      for (const rec of store.journalAfter(this.lastSeq)) {
        this.applyRecord(rec);
        this.lastSeq = rec.seq;
        this.lastAt = Math.max(this.lastAt, rec.at);
        replayed++;
      }
    } finally {
      this.replaying = false;
      this.outbox = [];
    }
    this.appliedSinceCheckpoint = replayed;
    if (Number.isFinite(this.o.checkpointMs)) {
      this.checkpointTimer = setInterval(() => void this.checkpoint().catch(() => undefined), this.o.checkpointMs);
      this.checkpointTimer.unref();
    }
    return { replayed, restoredTasks, restoredAgents };
  }

  /**
   * After recovery: attempts that were running when the process died have no outcome. Each gets a
   * journaled `attempt.lost`, which puts the task back in the queue for a new attempt; verifications
   * in flight run again; timers are armed (overdue ones fire at once).
   */
  resumeInFlight(): Promise<unknown>[] {
    const pending: Promise<unknown>[] = [];
    for (const [id, slot] of this.tasks) {
      const snap = this.snap(slot);
      if (snap.value === 'assigned' || snap.value === 'running') {
        pending.push(this.submit({ type: 'attempt.lost', taskId: id, attempt: snap.context.attempt }).catch(() => undefined));
      } else if (snap.value === 'verifying') {
        this.o.effects.verify({ taskId: id, attempt: snap.context.attempt });
      }
    }
    this.armTimers();
    return pending;
  }

  /**
   * Replay only: applies one journaled record as recovery does (no effects, no listeners, no
   * timers armed), with the kernel's own apply logic.
   * @example for (const rec of store.journalAfter(0)) kernel.replayRecord(rec)
   */
  replayRecord(rec: JournalRecord): void {
    this.replaying = true;
    try {
      this.applyRecord(rec);
      this.lastSeq = rec.seq;
      this.lastAt = Math.max(this.lastAt, rec.at);
    } finally {
      this.replaying = false;
      this.outbox = [];
    }
  }

  /** Stops intake, waits for accepted inputs, writes a final checkpoint. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.armedTimer) this.o.clock.clearTimeout(this.armedTimer.handle);
    this.armedTimer = undefined;
    while (this.intake.length > 0) await new Promise<void>((resolve) => this.intakeDrained.push(resolve));
    if (!this.halted) await this.checkpoint().catch((err) => this.o.logger.error({ err }, 'final checkpoint failed'));
    else await this.checkpointing?.catch(() => undefined);
    for (const slot of this.tasks.values()) slot.actor?.stop();
    for (const slot of this.agents.values()) slot.actor.stop();
    this.coordinator.actor.stop();
  }

  // ---------------------------------------------------------------- intake

  /** Throws when no new input may be accepted. */
  assertOpen(): void {
    if (this.closed) throw new HiveClosedError();
    if (this.halted) throw new StoreError(`intake stopped after a store failure: ${this.halted.message}`, { cause: this.halted });
  }

  /**
   * Journals an input and applies it once durable. Resolves with what applying it returned.
   * Inputs are applied in sequence order, whatever order their commits complete in.
   */
  submit(input: Input): Promise<unknown> {
    this.assertOpen();
    const seq = ++this.lastSeq;
    const at = (this.lastAt = Math.max(this.lastAt, this.o.clock.now()));
    const rec: JournalRecord = { seq, at, input };
    return new Promise((resolve, reject) => {
      const entry = { rec, state: 'writing' as 'writing' | 'written' | 'failed', error: undefined as unknown, resolve, reject };
      this.intake.push(entry);
      this.o.store.append(rec).then(
        () => {
          entry.state = 'written';
          this.pump();
        },
        (err) => {
          entry.state = 'failed';
          entry.error = err;
          this.pump();
        },
      );
    });
  }

  private pump(): void {
    while (this.intake.length > 0 && this.intake[0]!.state !== 'writing') {
      const entry = this.intake.shift()!;
      if (entry.state === 'failed') {
        this.halt(entry.error as Error);
        entry.reject(entry.error);
        continue;
      }
      let result: unknown;
      try {
        result = this.applyRecord(entry.rec);
      } catch (err) {
        // A bug, not bad input (that is refused before journaling). Keep going: the input is durable.
        this.o.logger.error({ err, seq: entry.rec.seq, input: entry.rec.input.type }, 'applying an input failed');
        entry.reject(err);
        continue;
      }
      this.flushOutbox();
      entry.resolve(result);
      this.appliedSinceCheckpoint++;
      if (this.appliedSinceCheckpoint >= this.o.checkpointEvery) void this.checkpoint().catch(() => undefined);
    }
    if (this.intake.length === 0 && this.intakeDrained.length > 0) {
      const waiters = this.intakeDrained;
      this.intakeDrained = [];
      for (const w of waiters) w();
    }
    if (!this.replaying) this.armTimers();
  }

  private halt(err: Error): void {
    if (this.halted) return;
    this.halted = err;
    this.o.logger.error({ err }, 'store failure: intake stopped');
    if (!this.closed) {
      this.deliver(coordinatorAddress, { type: 'hive.halt', reason: err.message, at: this.lastAt });
      this.drain();
    }
  }

  // ---------------------------------------------------------------- applying inputs

  /** Applies one journaled input. Deterministic: reads only the record and current state. */
  private applyRecord(rec: JournalRecord): unknown {
    this.seq = rec.seq;
    this.at = rec.at;
    const { input } = rec;
    const at = rec.at;
    let result: unknown;
    if (this.inspectors.size > 0) this.record({ kind: 'input.applied', input });
    switch (input.type) {
      case 'agent.spawn': {
        const a = input.agent;
        const address = agentAddress(a.id);
        const actor = this.host(address, this.m.agent, { ...a, order: orderOf(rec.seq, 0), at }) as AgentActor;
        this.agents.set(a.id, { actor });
        this.indexAgent(a.id, a.capabilities);
        this.dirty.add(address);
        this.scheduleNeeded = true;
        result = a.id;
        break;
      }
      case 'agent.pause':
      case 'agent.resume':
      case 'agent.stop':
      case 'agent.heartbeat':
        this.deliver(agentAddress(input.agentId), { type: input.type, at }, 'input');
        break;
      case 'task.post':
        input.tasks.forEach((spec, i) => this.createTask(spec, orderOf(rec.seq, i), at));
        result = input.tasks.map((t) => t.id);
        break;
      case 'task.cancel':
        this.deliver(taskAddress(input.taskId), { type: 'task.cancel', by: input.by, at } as TaskEvent, 'input');
        break;
      case 'attempt.rejected':
        this.deliver(taskAddress(input.taskId), { ...input, at, capableLeft: this.capableLeft(input.taskId, input.agentId) } as TaskEvent, 'input');
        break;
      case 'attempt.checkpoint': {
        // The handler is told whether its checkpoint was stored: only the current attempt's is.
        const slot = this.tasks.get(input.taskId);
        const before = slot && this.hosted(input.taskId, slot).getSnapshot();
        this.deliver(taskAddress(input.taskId), { type: input.type, attempt: input.attempt, state: input.state, at }, 'input');
        this.drain();
        result = before !== undefined && slot?.actor?.getSnapshot() !== before;
        break;
      }
      case 'attempt.progress':
      case 'attempt.succeeded':
      case 'attempt.failed':
      case 'attempt.lost':
      case 'verify.passed':
      case 'verify.failed': {
        const { taskId, ...event } = input;
        if (this.inspectors.size > 0 && input.type !== 'attempt.progress') {
          this.record({ kind: 'effect.settled', effect: input.type.startsWith('verify.') ? 'verify' : 'execute', taskId, attempt: input.attempt, outcome: input.type });
        }
        this.deliver(taskAddress(taskId), { ...event, at } as TaskEvent, 'input');
        break;
      }
      case 'timer.fired': {
        this.firing.delete(input.timerId);
        const t = this.timers.clear(input.timerId);
        if (t) this.deliver(t.target, { ...(t.event as { type: string }), at }, 'timer');
        break;
      }
      case 'hive.prune':
        result = this.collectPrunable(input.before);
        if (input.compactJournal) this.compactBefore = input.before;
        break;
    }
    this.drain();
    this.schedule();
    return result;
  }

  private createTask(spec: TaskSpecRecord, order: number, at: number): void {
    const waitingOn: string[] = [];
    const failedDeps: Array<{ id: string; status: string }> = [];
    for (const dep of spec.dependsOn) {
      const status = this.taskStatus(dep);
      if (status === 'completed' || status === 'verified') continue;
      if (status === undefined || isTerminalTaskStatus(status)) failedDeps.push({ id: dep, status: status ?? 'unknown (pruned)' });
      else waitingOn.push(dep);
    }
    const address = taskAddress(spec.id);
    const actor = this.host(address, this.m.task, { ...spec, waitingOn, order, at }) as TaskActor;
    this.tasks.set(spec.id, { actor });
    this.countTask(actor.getSnapshot().value as string, 1);
    this.dirty.add(address);
    if (spec.idempotencyKey !== undefined) this.idempotencyKeys.set(spec.idempotencyKey, spec.id);
    for (const dep of waitingOn) {
      this.addDependent(dep, spec.id);
      this.deliver(taskAddress(dep), { type: 'hive.blocking', at });
    }
    const failed = failedDeps[0];
    if (failed) this.deliver(address, { type: 'hive.dependency.settled', dependencyId: failed.id, ok: false, status: failed.status, at });
    this.afterTask(spec.id);
  }

  /** How many agents could still take this task if `agentId` refuses it. */
  private capableLeft(taskId: string, agentId: string): number {
    const slot = this.tasks.get(taskId);
    if (!slot) return 0;
    const { type, excluded } = this.snap(slot).context;
    let n = 0;
    for (const id of this.byCapability.get(type) ?? []) {
      if (id === agentId || excluded.includes(id)) continue;
      if (this.agents.get(id)?.actor.getSnapshot().value !== 'stopped') n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- actors and messages

  private host(address: string, logic: AnyActorLogic, input: unknown, snapshot?: unknown): Actor<AnyActorLogic> {
    const actor = createActor(logic, snapshot === undefined ? { input } : { snapshot: snapshot as never, input });
    actor.on('*', (e: { type: string }) => this.onEmitted(address, e));
    actor.start();
    if (this.inspectors.size > 0) {
      const machine = (address === coordinatorAddress ? 'coordinator' : address.slice(0, address.indexOf(':'))) as MachineName;
      const parentId = machine === 'agent' ? (actor.getSnapshot().context as AgentContext).parentId : undefined;
      this.record({
        kind: snapshot === undefined ? 'actor.created' : 'actor.restored',
        address,
        parent: machine === 'coordinator' ? '' : parentId ? agentAddress(parentId) : coordinatorAddress,
        machine,
        state: String(actor.getSnapshot().value),
      });
    }
    return actor;
  }

  private deliver(address: string, event: { type: string; at: number; [k: string]: unknown }, from = 'kernel'): void {
    this.mailbox.push([address, event, from]);
  }

  /**
   * Subscribes to the inspection stream (actors created, restored, passivated; inputs applied;
   * transitions; messages; effects; checkpoints). Costs nothing while nobody listens.
   */
  inspect(fn: (r: InspectionRecord) => void): () => void {
    this.inspectors.add(fn);
    return () => this.inspectors.delete(fn);
  }

  private record(r: DistributiveOmit<InspectionRecord, 'seq' | 'at' | 'replaying'>): void {
    const full = { ...r, seq: this.seq, at: this.at, replaying: this.replaying } as InspectionRecord;
    for (const fn of this.inspectors) {
      try {
        fn(full);
      } catch (err) {
        this.o.logger.warn({ err }, 'an inspector threw');
      }
    }
  }

  /** Sends one event to a hosted actor, reporting the message and any state change to inspectors. */
  private send(address: string, actor: Actor<AnyActorLogic>, event: { type: string; at: number }, from: string): void {
    const inspecting = this.inspectors.size > 0;
    const before = actor.getSnapshot().value as string;
    if (inspecting) this.record({ kind: 'message', from, to: address, event });
    actor.send(event);
    const after = actor.getSnapshot().value as string;
    if (after === before) return;
    if (address.startsWith('task:')) {
      this.countTask(before, -1);
      this.countTask(after, 1);
    }
    if (!inspecting) return;
    this.record({ kind: 'transition', address, from: before, to: after, event });
    if (after === 'stopped' && address.startsWith('agent:')) this.record({ kind: 'actor.stopped', address, state: after });
  }

  private countTask(status: string, delta: number): void {
    const n = (this.taskCounts.get(status) ?? 0) + delta;
    if (n === 0) this.taskCounts.delete(status);
    else this.taskCounts.set(status, n);
  }

  /** Processes queued messages in FIFO order until none is left. */
  private drain(): void {
    for (let i = 0; i < this.mailbox.length; i++) {
      const [address, event, from] = this.mailbox[i]!;
      const colon = address.indexOf(':');
      const kind = colon < 0 ? address : address.slice(0, colon);
      const id = address.slice(colon + 1);
      if (kind === 'task') {
        const slot = this.tasks.get(id);
        if (!slot || this.snap(slot).status !== 'active') continue;
        this.send(address, this.hosted(id, slot), event as TaskEvent, from);
        this.dirty.add(address);
        this.afterTask(id);
      } else if (kind === 'agent') {
        const slot = this.agents.get(id);
        if (!slot || slot.actor.getSnapshot().status !== 'active') continue;
        this.send(address, slot.actor, event as AgentEvent, from);
        this.dirty.add(address);
        this.scheduleNeeded = true;
      } else if (kind === coordinatorAddress) {
        this.send(address, this.coordinator.actor, event, from);
        this.dirty.add(coordinatorAddress);
      }
    }
    this.mailbox.length = 0;
  }

  private onEmitted(address: string, e: { type: string; [k: string]: unknown }): void {
    if (!e.type.startsWith('effect.')) {
      if (!this.replaying && (this.listeners.get(e.type)?.size || this.listeners.get('*')?.size)) {
        const event = { ...(e as Notification), seq: this.seq };
        this.outbox.push(() => this.emit(event));
      }
      return;
    }
    const req = e as EffectRequest;
    switch (req.type) {
      case 'effect.timer.set':
        this.timers.set({ timerId: req.timerId, due: req.due, target: req.target, event: req.event });
        break;
      case 'effect.timer.cancel':
        this.timers.clear(req.timerId);
        break;
      case 'effect.release':
        if (req.agentId) this.deliver(agentAddress(req.agentId), { type: 'hive.task.released', taskId: req.taskId, outcome: req.outcome, at: this.at }, address);
        break;
      case 'effect.settled': {
        const waiting = this.dependents.get(req.taskId);
        this.dependents.delete(req.taskId);
        for (const dep of waiting ?? []) {
          this.deliver(taskAddress(dep), { type: 'hive.dependency.settled', dependencyId: req.taskId, ok: req.ok, status: req.status, at: this.at }, address);
        }
        if (!this.replaying && this.settledWaiters.has(req.taskId)) {
          const taskId = req.taskId;
          this.outbox.push(() => {
            const view = this.getTask(taskId);
            const waiters = this.settledWaiters.get(taskId);
            this.settledWaiters.delete(taskId);
            if (view) for (const w of waiters ?? []) w(view);
          });
        }
        break;
      }
      case 'effect.escalate':
        this.deliver(coordinatorAddress, { type: 'hive.escalate', agentId: req.agentId, taskIds: req.taskIds, reason: req.reason, at: this.at }, address);
        break;
      case 'effect.reassign':
        for (const taskId of req.taskIds) this.deliver(taskAddress(taskId), { type: 'hive.reassign', reason: req.reason, at: this.at }, address);
        break;
      case 'effect.requeue':
        break; // afterTask() re-reads the task's priority after every message
      case 'effect.execute':
      case 'effect.verify':
      case 'effect.abort':
        if (this.inspectors.size > 0) {
          this.record({ kind: 'effect.dispatched', effect: req.type.slice('effect.'.length) as 'execute' | 'verify' | 'abort', taskId: req.taskId, attempt: req.attempt, ...(req.type === 'effect.execute' ? { agentId: req.agentId } : {}) });
        }
        if (!this.replaying) {
          const effects = this.o.effects;
          this.outbox.push(
            req.type === 'effect.execute' ? () => effects.execute(req) : req.type === 'effect.verify' ? () => effects.verify(req) : () => effects.abort(req),
          );
        }
        break;
    }
  }

  /** A task's current state, without hosting it. */
  private snap(slot: TaskSlot): TaskSnap {
    return slot.actor ? (slot.actor.getSnapshot() as unknown as TaskSnap) : slot.persisted!;
  }

  /** The task's XState actor, hosted from its persisted snapshot on first use. */
  private hosted(id: string, slot: TaskSlot): TaskActor {
    if (!slot.actor) {
      slot.actor = this.host(taskAddress(id), this.m.task, undefined, slot.persisted) as TaskActor;
      slot.persisted = undefined;
    }
    return slot.actor;
  }

  /** An actor as the store keeps it. */
  private stored(address: string, slot: TaskSlot | Slot<AgentActor> | Slot<CoordinatorActor>): StoredActor {
    if (address === coordinatorAddress || address.startsWith('agent:')) {
      const actor = (slot as Slot<AgentActor | CoordinatorActor>).actor;
      const snap = actor.getSnapshot();
      const kind = address === coordinatorAddress ? 'coordinator' : 'agent';
      return { kind, status: String(snap.value), order: kind === 'agent' ? (snap.context as AgentContext).order : 0, snapshot: actor.getPersistedSnapshot() };
    }
    const t = slot as TaskSlot;
    const snap = this.snap(t);
    return { kind: 'task', status: snap.value, order: snap.context.order, snapshot: t.actor ? t.actor.getPersistedSnapshot() : t.persisted };
  }

  /** Keeps the queue in step with a task's state after every message it handled. */
  private afterTask(id: string): void {
    const slot = this.tasks.get(id);
    if (!slot) return;
    const snap = this.snap(slot);
    const ctx = snap.context;
    if (snap.value === 'pending' && ctx.waitingOn.length === 0) {
      if (this.queue.upsert(id, ctx.type, effectivePriority(ctx), ctx.order)) this.scheduleNeeded = true;
    } else if (this.queue.has(id)) {
      this.queue.remove(id);
    }
  }

  private addDependent(dep: string, id: string): void {
    let set = this.dependents.get(dep);
    if (!set) this.dependents.set(dep, (set = new Set()));
    set.add(id);
  }

  private indexAgent(id: string, capabilities: string[]): void {
    for (const cap of capabilities) {
      let set = this.byCapability.get(cap);
      if (!set) this.byCapability.set(cap, (set = new Set()));
      set.add(id);
    }
  }

  // ---------------------------------------------------------------- assignment

  /**
   * Serves the queue: repeatedly takes the best queued task (highest effective priority, oldest
   * first) among types that have a free capable agent, and assigns it to the best such agent.
   */
  private schedule(): void {
    while (this.scheduleNeeded) {
      this.scheduleNeeded = false;
      const stashed: Array<{ id: string; type: string; priority: number; order: number }> = [];
      for (;;) {
        let best: { type: string; id: string; priority: number; order: number; agentId: string } | undefined;
        for (const type of [...this.queue.types()]) {
          const candidates = this.candidates(type);
          if (candidates.length === 0) continue;
          for (let top = this.queue.peek(type); top; top = this.queue.peek(type)) {
            const excluded = this.snap(this.tasks.get(top.id)!).context.excluded;
            const agent = pickAgent(candidates, excluded);
            if (agent) {
              if (!best || top.priority > best.priority || (top.priority === best.priority && top.order < best.order)) {
                best = { type, ...top, agentId: agent.id };
              }
              break;
            }
            // Every free agent was refused by this task: set it aside and look at the next one.
            this.queue.take(type);
            stashed.push({ ...top, type });
          }
        }
        if (!best) break;
        this.queue.take(best.type);
        const at = this.at;
        this.deliver(taskAddress(best.id), { type: 'hive.assign', agentId: best.agentId, at }, coordinatorAddress);
        this.deliver(agentAddress(best.agentId), { type: 'hive.task.assigned', taskId: best.id, at }, coordinatorAddress);
        this.deliver(taskAddress(best.id), { type: 'hive.start', at }, coordinatorAddress);
        this.drain();
      }
      for (const s of stashed) this.queue.upsert(s.id, s.type, s.priority, s.order);
    }
  }

  /** Free agents able to run a task type. */
  private candidates(type: string): AgentCandidate[] {
    const out: AgentCandidate[] = [];
    for (const id of this.byCapability.get(type) ?? []) {
      const snap = this.agents.get(id)!.actor.getSnapshot();
      const c = snap.context;
      const status = snap.value as string;
      if ((status === 'idle' || status === 'busy') && c.load < c.maxConcurrent) {
        out.push({ id, status, priority: c.priority, load: c.load, maxConcurrent: c.maxConcurrent, lastTaskAt: c.lastTaskAt, order: c.order });
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- timers

  /** Keeps one host timer armed for the earliest durable timer; firing journals `timer.fired`. */
  private armTimers(): void {
    if (this.closed || this.halted) return;
    const next = this.timers.next();
    // A timer whose `timer.fired` input is being journaled is not armed again; applying it re-arms.
    if (!next || this.firing.has(next.timerId)) return;
    if (this.armedTimer && this.armedTimer.due <= next.due) return;
    if (this.armedTimer) this.o.clock.clearTimeout(this.armedTimer.handle);
    const delay = Math.max(0, next.due - this.o.clock.now());
    this.armedTimer = { due: next.due, handle: this.o.clock.setTimeout(() => this.fireDue(), delay) };
  }

  private fireDue(): void {
    this.armedTimer = undefined;
    if (this.closed || this.halted) return;
    for (const t of this.timers.due(this.o.clock.now())) {
      if (this.firing.has(t.timerId)) continue;
      this.firing.add(t.timerId);
      this.submit({ type: 'timer.fired', timerId: t.timerId }).catch((err) => this.o.logger.warn({ err, timer: t.timerId }, 'timer input refused'));
    }
    this.armTimers();
  }

  // ---------------------------------------------------------------- checkpoint, passivation, pruning

  /** Writes changed actors, timer changes and the checkpoint marker in one transaction, then passivates. */
  checkpoint(): Promise<void> {
    if (this.checkpointing) return this.checkpointing.then(() => (this.dirty.size > 0 && !this.halted ? this.checkpoint() : undefined));
    if (this.halted) return Promise.reject(this.halted);
    const write = this.buildCheckpoint();
    this.appliedSinceCheckpoint = 0;
    this.writing = new Map(write.actors.filter((a) => a.actor.kind === 'task').map((a) => [a.address, a.actor.status]));
    const keys = write.idempotencyKeys.map(([k]) => k);
    const pruned = write.pruned.map((p) => p.id);
    this.checkpointing = this.o.store
      .writeCheckpoint(write)
      .then(() => {
        for (const w of write.actors) this.afterWrite(w.address, w.actor.status);
        if (this.inspectors.size > 0) this.record({ kind: 'checkpoint.written', checkpointSeq: write.seq, actors: write.actors.length });
        for (const k of keys) if (this.idempotencyKeys.get(k) !== undefined) this.idempotencyKeys.delete(k);
        for (const id of pruned) this.pruning.delete(id);
      })
      .catch((err: Error) => {
        // The snapshots are still in memory and marked dirty again; the journal holds every input.
        for (const w of write.actors) this.dirty.add(w.address);
        this.halt(err);
        throw err;
      })
      .finally(() => {
        this.checkpointing = undefined;
        this.writing = new Map();
      });
    return this.checkpointing;
  }

  private buildCheckpoint(): CheckpointWrite {
    const actors: CheckpointWrite['actors'] = [];
    for (const address of this.dirty) {
      if (address === coordinatorAddress) {
        actors.push({ address, actor: { kind: 'coordinator', status: String(this.coordinator.actor.getSnapshot().value), order: 0, snapshot: this.coordinator.actor.getPersistedSnapshot() }, live: true });
        continue;
      }
      const isTask = address.startsWith('task:');
      const id = address.slice(isTask ? 5 : 6);
      const slot = isTask ? this.tasks.get(id) : this.agents.get(id);
      if (!slot) continue;
      const stored = this.stored(address, slot);
      const status = stored.status;
      const actor: StoredActor = stored;
      actors.push({ address, actor, live: isTask ? !isTerminalTaskStatus(status) : true, previousStatus: slot.storedStatus, id });
    }
    this.dirty = new Set();
    const timers = this.timers.takeChanges();
    const compactBefore = this.compactBefore;
    this.compactBefore = undefined;
    return {
      seq: this.lastAppliedSeq(),
      at: this.at,
      actors,
      timersSet: timers.set,
      timersCleared: timers.cleared,
      idempotencyKeys: [...this.idempotencyKeys],
      pruned: [...this.pruning.values()],
      ...(compactBefore !== undefined ? { compactJournalBefore: compactBefore } : {}),
    };
  }

  private lastAppliedSeq(): number {
    return this.intake.length > 0 ? this.intake[0]!.rec.seq - 1 : this.lastSeq;
  }

  /** After a write: remember what is stored; finished tasks leave memory (passivation). */
  private afterWrite(address: string, status: string): void {
    if (!address.startsWith('task:')) {
      const slot = address === coordinatorAddress ? this.coordinator : this.agents.get(address.slice(6));
      if (slot) slot.storedStatus = status;
      return;
    }
    const id = address.slice(5);
    const slot = this.tasks.get(id);
    if (!slot) return;
    slot.storedStatus = status;
    if (isTerminalTaskStatus(status) && !this.dirty.has(address)) {
      slot.actor?.stop();
      this.tasks.delete(id);
      if (this.inspectors.size > 0) this.record({ kind: 'actor.passivated', address, state: status });
    }
  }

  /** Chooses finished tasks older than `before` for deletion by the next checkpoint. */
  private collectPrunable(before: number): number {
    let n = 0;
    for (const t of this.o.store.finishedTasksBefore(before, terminalTaskStatuses)) {
      if (this.pruning.has(t.id) || this.tasks.has(t.id)) continue;
      const key = (t.actor.snapshot as { context: TaskContext }).context.idempotencyKey;
      this.pruning.set(t.id, { address: taskAddress(t.id), id: t.id, status: t.status, order: t.order, idempotencyKey: key });
      this.countTask(t.status, -1);
      n++;
    }
    // Finished tasks not yet passivated are pruned too: the result must not depend on checkpoint timing.
    for (const [id, slot] of this.tasks) {
      const snap = this.snap(slot);
      const status = snap.value;
      const ctx = snap.context;
      if (!isTerminalTaskStatus(status) || ctx.finishedAt === undefined || ctx.finishedAt >= before) continue;
      const address = taskAddress(id);
      // If a checkpoint in flight writes this task, the store will hold that status when ours commits.
      const storeStatus = this.writing.get(address) ?? slot.storedStatus;
      slot.actor?.stop();
      this.tasks.delete(id);
      this.dirty.delete(address);
      if (ctx.idempotencyKey !== undefined && this.idempotencyKeys.get(ctx.idempotencyKey) === id) this.idempotencyKeys.delete(ctx.idempotencyKey);
      this.pruning.set(id, { address, id, status: storeStatus ?? status, order: ctx.order, idempotencyKey: ctx.idempotencyKey, stored: storeStatus !== undefined });
      this.countTask(status, -1);
      n++;
    }
    return n;
  }

  // ---------------------------------------------------------------- queries

  /** Status of a task, from memory or the store; undefined when unknown or pruned. */
  taskStatus(id: string): string | undefined {
    const slot = this.tasks.get(id);
    if (slot) return this.snap(slot).value;
    if (this.pruning.has(id)) return undefined;
    return this.o.store.getActor(taskAddress(id))?.status;
  }

  getTask(id: string): TaskView | undefined {
    const slot = this.tasks.get(id);
    if (slot) {
      const snap = this.snap(slot);
      return toTaskView(snap.value, snap.context);
    }
    if (this.pruning.has(id)) return undefined;
    const rec = this.o.store.getActor(taskAddress(id));
    if (!rec) return undefined;
    return toTaskView(rec.status, (rec.snapshot as { context: TaskContext }).context);
  }

  /**
   * An actor as it would be stored now: from memory when hosted, else from the store.
   * @example kernel.actorSnapshot('task:t1')?.status
   */
  actorSnapshot(address: string): StoredActor | undefined {
    const colon = address.indexOf(':');
    const id = address.slice(colon + 1);
    const slot = address === coordinatorAddress ? this.coordinator : address.startsWith('task:') ? this.tasks.get(id) : address.startsWith('agent:') ? this.agents.get(id) : undefined;
    if (!slot) return this.pruning.has(id) && address.startsWith('task:') ? undefined : this.o.store.getActor(address);
    return this.stored(address, slot);
  }

  /** Addresses of the actors hosted in memory now (coordinator, agents, live tasks). */
  hostedAddresses(): string[] {
    return [coordinatorAddress, ...[...this.agents.keys()].map(agentAddress), ...[...this.tasks.keys()].map(taskAddress)];
  }

  hasTask(id: string): boolean {
    return this.taskStatus(id) !== undefined;
  }

  getAgent(id: string): AgentView | undefined {
    const slot = this.agents.get(id);
    if (!slot) return undefined;
    const snap = slot.actor.getSnapshot();
    return toAgentView(String(snap.value), snap.context);
  }

  agentContext(id: string): AgentContext | undefined {
    return this.agents.get(id)?.actor.getSnapshot().context;
  }

  listAgents(): AgentView[] {
    return [...this.agents.keys()].map((id) => this.getAgent(id)!).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  taskForIdempotencyKey(key: string): string | undefined {
    return this.idempotencyKeys.get(key) ?? this.o.store.taskForIdempotencyKey(key);
  }

  /** Tasks newest first, live ones from memory merged with stored ones. */
  listTasks(filter: { status?: string; type?: string; owner?: string; limit?: number }): TaskView[] {
    const limit = filter.limit ?? Infinity;
    const matches = (v: TaskView) =>
      (filter.status === undefined || v.status === filter.status) && (filter.type === undefined || v.type === filter.type) && (filter.owner === undefined || v.owner === filter.owner);
    const live: Array<{ order: number; view: TaskView }> = [];
    for (const slot of this.tasks.values()) {
      const snap = this.snap(slot);
      const view = toTaskView(snap.value, snap.context);
      if (matches(view)) live.push({ order: snap.context.order, view });
    }
    live.sort((a, b) => b.order - a.order);
    const out: TaskView[] = [];
    let li = 0;
    const pushLive = (aboveOrder: number) => {
      while (li < live.length && live[li]!.order > aboveOrder && out.length < limit) out.push(live[li++]!.view);
    };
    for (const { id, order } of this.o.store.taskIds(filter.status)) {
      if (out.length >= limit) break;
      pushLive(order);
      if (this.tasks.has(id) || this.pruning.has(id) || out.length >= limit) continue;
      const view = this.getTask(id);
      if (view && matches(view)) out.push(view);
    }
    pushLive(-Infinity);
    return out;
  }

  /** Counts of agents and tasks by status. */
  status(): { agents: Record<string, number>; tasks: Record<string, number>; queued: number; timers: number; lastSeq: number; liveTasks: number } {
    const agents: Record<string, number> = {};
    for (const slot of this.agents.values()) {
      const s = String(slot.actor.getSnapshot().value);
      agents[s] = (agents[s] ?? 0) + 1;
    }
    const tasks = Object.fromEntries(this.taskCounts);
    return { agents, tasks, queued: this.queue.size, timers: this.timers.size, lastSeq: this.lastSeq, liveTasks: this.tasks.size };
  }

  // ---------------------------------------------------------------- listeners

  on(type: string, fn: (e: HiveEvent) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  /** Calls `fn` once the task reaches a terminal state (at once if it already has). */
  onSettled(id: string, fn: (view: TaskView) => void): () => void {
    let set = this.settledWaiters.get(id);
    if (!set) this.settledWaiters.set(id, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }

  private emit(event: HiveEvent): void {
    for (const key of [event.type, '*']) {
      for (const fn of this.listeners.get(key) ?? []) {
        try {
          fn(event);
        } catch (err) {
          this.o.logger.warn({ err, event: event.type }, 'an event listener threw');
        }
      }
    }
  }

  private flushOutbox(): void {
    const out = this.outbox;
    this.outbox = [];
    for (const fn of out) fn();
  }
}
