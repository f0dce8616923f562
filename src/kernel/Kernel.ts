/**
 * @module Kernel: the live host around the deterministic KernelCore. It journals each input before
 * applying it (Intake), performs what applying produced (effects, notifications, answers to
 * waiters), keeps one host timer armed for the durable timers, checkpoints atomically and recovers
 * from the store. Recovery and replay apply the same records and drop what they produced.
 */
import { address } from '../../machines/address.js';
import type { WorkRequest } from '../../machines/types.js';
import type { WorkerRequest } from '../../machines/worker.js';
import type { MessageRequest } from '../../machines/message.js';
import type { TaskView } from '../views.js';
import { afterCheckpoint, buildCheckpoint } from './checkpointWrite.js';
import type { Input, JournalRecord } from './inputs.js';
import type { InspectionRecord } from './InspectionRecord.js';
import { Intake } from './Intake.js';
import { KernelCore } from './KernelCore.js';
import type { KernelOptions } from './KernelOptions.js';
import { KernelQueries } from './KernelQueries.js';
import { Listeners, type HiveEvent } from './Listeners.js';
import { restoreFromStore } from './restoreFromStore.js';
import { StepLog, type StepRecord } from './StepLog.js';
import type { StepOutput } from './StepOutput.js';
import { TimerHost } from './TimerHost.js';

export type { KernelMachines } from './KernelCore.js';

export type { EffectRunner, KernelOptions } from './KernelOptions.js';
export type { HiveEvent } from './Listeners.js';

export class Kernel extends KernelQueries {
  private readonly intake: Intake;
  private readonly timerHost: TimerHost;
  private appliedSinceCheckpoint = 0;
  private checkpointing: Promise<void> | undefined;
  /** The input the last checkpoint started was built at. */
  private checkpointedSeq = 0;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private readonly listeners: Listeners;

  constructor(private readonly o: KernelOptions) {
    super(new KernelCore(o.store, o.strategy, o.machines), o.store);
    this.core.inspection.logger = o.logger;
    if (o.recordChanges) this.core.steps = new StepLog();
    this.listeners = new Listeners(o.logger);
    this.intake = new Intake({ store: o.store, clock: o.clock, logger: o.logger, apply: (rec) => this.applyLive(rec), onHalt: (err) => this.onHalt(err) });
    this.timerHost = new TimerHost(this.core.timers, o.clock, (timerId, due) => this.intake.submit({ type: 'timer.fired', timerId, due }));
    if (o.timers === false) this.timerHost.stop();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Restores the last checkpoint, replays the journal after it, then resumes work in flight. */
  recover(): { replayed: number; restoredTasks: number; restoredAgents: number } {
    const { store } = this.o;
    const core = this.core;
    const replayed = restoreFromStore(core, store, (seq, at) => this.intake.resumeAt(seq, at));
    this.appliedSinceCheckpoint = replayed;
    if (Number.isFinite(this.o.checkpointMs)) {
      this.checkpointTimer = setInterval(() => void this.checkpoint().catch(() => undefined), this.o.checkpointMs);
      this.checkpointTimer.unref();
    }
    const counts = { task: core.actors.get('task')!.size, agent: core.actors.get('agent')!.size };
    return { replayed, restoredTasks: counts.task, restoredAgents: counts.agent };
  }

  /**
   * After recovery: attempts that were running when the process died have no outcome. Each gets a
   * journaled `attempt.lost`, which puts the task back in the queue for a new attempt, unless the
   * effect layer keeps it (`resume`: a remote worker may still run it); verifications in flight run
   * again; timers are armed (overdue ones fire at once).
   * `opened` (the process's `hive.opened` input) is journaled first, once the attempts in flight are
   * known: work it makes assignable is new work, not work in flight.
   */
  resumeInFlight(opened?: Input): Promise<unknown>[] {
    const lost: Array<{ taskId: string; attempt: number }> = [];
    const verifying: Array<{ taskId: string; attempt: number }> = [];
    for (const [id, slot] of this.core.actors.get('task')!) {
      const snap = (slot.snap ?? slot.persisted)!;
      const { attempt, assignedTo } = snap.context as { attempt: number; assignedTo?: string };
      if (snap.value === 'assigned' || snap.value === 'running') {
        if (assignedTo !== undefined && this.o.effects.resume?.({ taskId: id, attempt, agentId: assignedTo })) continue;
        lost.push({ taskId: id, attempt });
      } else if (snap.value === 'verifying') verifying.push({ taskId: id, attempt });
    }
    const pending: Promise<unknown>[] = [];
    if (opened) pending.push(this.submit(opened));
    for (const a of lost) pending.push(this.submit({ type: 'attempt.lost', ...a }).catch(() => undefined));
    // Other kinds with work in flight (colony workers) say which input settles it.
    for (const kind of Object.values(this.core.kinds)) {
      if (!kind.resumeInFlight) continue;
      for (const [id, slot] of this.core.actors.get(kind.name)!) {
        const input = kind.resumeInFlight(id, (slot.snap ?? slot.persisted)!);
        if (input) pending.push(this.submit(input).catch(() => undefined));
      }
    }
    for (const v of verifying) this.o.effects.verify(v);
    // Auctions open when the process died: ask again the agents that had not answered.
    for (const slot of this.core.actors.get('auction')!.values()) {
      const snap = (slot.snap ?? slot.persisted)!;
      const c = snap.context as { taskId: string; round: number; eligible: string[]; bids: Array<{ agentId: string }> };
      const agentIds = c.eligible.filter((id) => !c.bids.some((b) => b.agentId === id));
      if (snap.value === 'open' && agentIds.length > 0) this.o.effects.askBids?.({ taskId: c.taskId, round: c.round, agentIds });
    }
    this.timerHost.arm();
    return pending;
  }

  /**
   * Replay only: applies one journaled record as recovery does (nothing performed).
   * @example for (const rec of store.journalAfter(0)) kernel.replayRecord(rec)
   */
  replayRecord(rec: JournalRecord): void {
    this.core.inspection.replaying = true;
    try {
      this.core.apply(rec);
      this.intake.resumeAt(rec.seq, rec.at);
    } finally {
      this.core.inspection.replaying = false;
    }
  }

  /**
   * Replay only: what each input did to each actor since the last call (kernels made with `recordChanges`).
   * @example kernel.replayRecord(rec); kernel.takeChanges().filter((c) => c.address === 'task:t1')
   */
  takeChanges(): StepRecord[] {
    return this.core.steps?.take() ?? [];
  }

  /** Stops intake, waits for accepted inputs, writes a final checkpoint. */
  async close(): Promise<void> {
    if (this.intake.closed) return;
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.timerHost.stop();
    await this.intake.close();
    if (!this.intake.halted) await this.checkpoint().catch((err) => this.o.logger.error({ err }, 'final checkpoint failed'));
    else await this.checkpointing?.catch(() => undefined);
  }

  // ---------------------------------------------------------------- intake

  /** Throws when no new input may be accepted. */
  assertOpen(): void {
    this.intake.assertOpen();
  }

  /**
   * Journals an input and applies it once durable. Resolves with what applying it returned.
   * @example await kernel.submit({ type: 'agent.pause', agentId: 'a1' })
   */
  submit(input: JournalRecord['input']): Promise<unknown> {
    return this.intake.submit(input);
  }

  /** Applies a durable record live and performs what it produced. */
  private applyLive(rec: JournalRecord): unknown {
    if (rec.input.type === 'timer.fired') this.timerHost.fired(rec.input.timerId);
    const out = this.core.apply(rec);
    this.perform(out, rec.seq);
    this.appliedSinceCheckpoint++;
    if (this.appliedSinceCheckpoint >= this.o.checkpointEvery) void this.checkpoint().catch(() => undefined);
    if (!this.intake.closed && !this.intake.halted) this.timerHost.arm();
    return out.result;
  }

  private perform(out: StepOutput, seq: number): void {
    for (const e of out.effects) this.dispatch(e);
    for (const n of out.notifications) this.listeners.emit(n, seq);
    for (const taskId of out.settled) this.listeners.settled(taskId, (id) => this.getTask(id));
  }

  private dispatch(e: WorkRequest | WorkerRequest | MessageRequest): void {
    const effects = this.o.effects;
    if (e.type === 'effect.execute') effects.execute(e);
    else if (e.type === 'effect.verify') effects.verify(e);
    else if (e.type === 'effect.abort') effects.abort(e);
    else if (e.type === 'effect.auction.ask') effects.askBids?.(e);
    else if (e.type === 'effect.message.deliver') effects.message?.(e);
    else effects.worker?.(e);
  }

  private onHalt(err: Error): void {
    this.o.logger.error({ err }, 'store failure: intake stopped');
    this.timerHost.stop();
    if (this.intake.closed) return;
    this.core.deliver(address('coordinator'), { type: 'hive.halt', reason: err.message, at: this.core.at }, 'kernel');
    this.core.drain();
  }

  // ---------------------------------------------------------------- checkpoints

  /** Writes changed actors, timer changes and the checkpoint marker in one transaction, then passivates. */
  checkpoint(): Promise<void> {
    const core = this.core;
    // After the one in flight, catch up with inputs applied since it was built (even ones that dirtied no actor).
    const behind = () => core.dirty.size > 0 || this.intake.lastAppliedSeq() > this.checkpointedSeq;
    if (this.checkpointing) return this.checkpointing.then(() => (behind() && !this.intake.halted ? this.checkpoint() : undefined));
    if (this.intake.halted) return Promise.reject(this.intake.halted);
    const write = buildCheckpoint(core, this.intake.lastAppliedSeq());
    this.checkpointedSeq = write.seq;
    this.appliedSinceCheckpoint = 0;
    core.writing = new Map(write.actors.filter((a) => a.actor.kind === 'task').map((a) => [a.address, a.actor.status]));
    this.checkpointing = this.o.store
      .writeCheckpoint(write)
      .then(() => {
        afterCheckpoint(core, write);
        if (core.inspection.active) core.inspection.record(core, { kind: 'checkpoint.written', checkpointSeq: write.seq, actors: write.actors.length });
      })
      .catch((err: Error) => {
        // The snapshots are still in memory and marked dirty again; the journal holds every input.
        for (const w of write.actors) core.dirty.add(w.address as never);
        this.intake.halt(err);
        throw err;
      })
      .finally(() => {
        this.checkpointing = undefined;
        core.writing = new Map();
      });
    return this.checkpointing;
  }

  // ---------------------------------------------------------------- listeners

  on(type: string, fn: (e: HiveEvent) => void): () => void {
    return this.listeners.on(type, fn);
  }

  /** Calls `fn` once the task reaches a terminal state. */
  onSettled(id: string, fn: (view: TaskView) => void): () => void {
    return this.listeners.onSettled(id, fn);
  }

  /**
   * Subscribes to the inspection stream. Costs nothing while nobody listens.
   * @example kernel.inspect((r) => r.kind === 'transition' && console.log(r.address, r.to))
   */
  inspect(fn: (r: InspectionRecord) => void): () => void {
    return this.core.inspection.subscribe(fn);
  }

  /** Inputs applied so far (for status). */
  protected override lastSeq(): number {
    return this.intake.lastSeq;
  }
}
