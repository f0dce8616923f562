/**
 * @module StepLog: what each journaled input did to each actor since the last checkpoint (the
 * state before and after, and the messages that changed it), kept by reference for the history
 * index that the next checkpoint writes. Costs one array push per message while it is attached.
 */
import type { PersistedSnap } from './MachineStepper.js';

/** Who sent a message: an actor address, or 'input' (the journaled input itself), 'timer', 'kernel'. */
export type StepCause = [from: string, event: string];

/** One input's effect on one actor: the state before it (undefined when the input created the actor) and after. */
export interface StepRecord {
  seq: number;
  /** The input's time. */
  at: number;
  address: string;
  /** True when the actor was created since the last checkpoint (its first record says so with `before: undefined`). */
  born: boolean;
  causes: StepCause[];
  before: PersistedSnap<unknown> | undefined;
  after: PersistedSnap<unknown>;
}

/** The event name a creation is recorded with. */
export const createdEvent = 'created';

/**
 * Collects step records between two checkpoints. Snapshots are immutable (XState copies a context on
 * every assign), so keeping references is safe and costs nothing until the checkpoint encodes them.
 * @example core.steps = new StepLog(); ...; const records = core.steps.take()
 */
export class StepLog {
  private records: StepRecord[] = [];
  /** The open record of each actor touched by the input being applied. */
  private readonly current = new Map<string, StepRecord>();
  private currentSeq = -1;
  private born = new Set<string>();

  /** An actor was created by input `seq` (the coordinator, created before any input, is not recorded). */
  created(seq: number, at: number, address: string, snap: PersistedSnap<unknown>): void {
    if (seq === 0) return;
    this.born.add(address);
    this.open(seq, at, address, [['input', createdEvent]], undefined, snap);
  }

  /** An actor handled a message while input `seq` was applied. */
  stepped(seq: number, at: number, from: string, address: string, event: string, before: PersistedSnap<unknown>, after: PersistedSnap<unknown>): void {
    if (seq !== this.currentSeq) {
      this.current.clear();
      this.currentSeq = seq;
    }
    const open = this.current.get(address);
    if (open) {
      open.after = after;
      open.causes.push([from, event]);
    } else this.open(seq, at, address, [[from, event]], before, after);
  }

  /** Every record since the last call, in order; starts a new interval. */
  take(): StepRecord[] {
    const out = this.records;
    this.records = [];
    this.current.clear();
    this.currentSeq = -1;
    this.born = new Set();
    return out;
  }

  private open(seq: number, at: number, address: string, causes: StepCause[], before: PersistedSnap<unknown> | undefined, after: PersistedSnap<unknown>): void {
    if (seq !== this.currentSeq) {
      this.current.clear();
      this.currentSeq = seq;
    }
    const rec: StepRecord = { seq, at, address, born: this.born.has(address), causes, before, after };
    this.records.push(rec);
    this.current.set(address, rec);
  }
}
