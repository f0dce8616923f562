/**
 * @module Intake: journals inputs and applies them in sequence order once durable. Each input gets
 * its `seq` and `at` here; lmdb-js groups concurrent appends into one commit (group commit), and an
 * input is applied (and its caller answered) only after its record is flushed. A failed append
 * halts intake: nothing after it is applied, so memory is never ahead of the journal.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { HiveClosedError, StoreError } from '../errors.js';
import type { KernelStore } from '../store/KernelStore.js';
import type { Input, JournalRecord } from './inputs.js';

interface Entry {
  rec: JournalRecord;
  state: 'writing' | 'written' | 'failed';
  error?: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface IntakeOptions {
  store: KernelStore;
  clock: Clock;
  logger: Logger;
  /** Applies a durable record and returns what its caller gets. */
  apply(rec: JournalRecord): unknown;
  /** Called once, when the first store failure stops intake. */
  onHalt(err: Error): void;
}

export class Intake {
  private readonly queue: Entry[] = [];
  private drained: Array<() => void> = [];
  lastSeq = 0;
  private lastAt = 0;
  halted: Error | undefined;
  closed = false;

  constructor(private readonly o: IntakeOptions) {}

  /** Continues numbering after a record already applied (recovery, replay). */
  resumeAt(seq: number, at: number): void {
    this.lastSeq = seq;
    this.lastAt = Math.max(this.lastAt, at);
  }

  assertOpen(): void {
    if (this.closed) throw new HiveClosedError();
    if (this.halted) throw new StoreError(`intake stopped after a store failure: ${this.halted.message}`, { cause: this.halted });
  }

  /**
   * Journals an input; resolves with what applying it returned, after its record is durable.
   * @example await intake.submit({ type: 'agent.pause', agentId: 'a1' })
   */
  submit(input: Input): Promise<unknown> {
    this.assertOpen();
    const seq = ++this.lastSeq;
    const at = (this.lastAt = Math.max(this.lastAt, this.o.clock.now()));
    const rec: JournalRecord = { seq, at, input };
    return new Promise((resolve, reject) => {
      const entry: Entry = { rec, state: 'writing', resolve, reject };
      this.queue.push(entry);
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

  /** The last input applied: everything before the oldest one still being written. */
  lastAppliedSeq(): number {
    return this.queue.length > 0 ? this.queue[0]!.rec.seq - 1 : this.lastSeq;
  }

  /** Stops intake and waits until every accepted input has been applied or refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Stops intake after a store failure (idempotent). */
  halt(err: Error): void {
    if (this.halted) return;
    this.halted = err;
    this.o.onHalt(err);
  }

  private pump(): void {
    while (this.queue.length > 0 && this.queue[0]!.state !== 'writing') {
      const entry = this.queue.shift()!;
      if (entry.state === 'failed') {
        this.halt(entry.error as Error);
        entry.reject(entry.error);
        continue;
      }
      let result: unknown;
      try {
        result = this.o.apply(entry.rec);
      } catch (err) {
        // A bug, not bad input (that is refused before journaling). Keep going: the input is durable.
        this.o.logger.error({ err, seq: entry.rec.seq, input: entry.rec.input.type }, 'applying an input failed');
        entry.reject(err);
        continue;
      }
      entry.resolve(result);
    }
    if (this.queue.length === 0 && this.drained.length > 0) {
      const waiters = this.drained;
      this.drained = [];
      for (const w of waiters) w();
    }
  }
}
