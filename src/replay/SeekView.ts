import { StoreError } from '../errors.js';
import { kinds } from '../kernel/kinds/index.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import type { KindName } from '../../machines/address.js';
import type { CheckpointWrite, StoredActor, StoredTimer } from '../store/HiveStore.js';
import type { KernelStore } from '../store/KernelStore.js';
import { existedAt } from '../store/SeekDb.js';
import type { SeekState } from '../store/seekCodec.js';
import type { SeekReader } from '../store/SeekReader.js';
import type { JournalSource } from './MemoryStore.js';
import { type FinishedTask, finishedTasksBefore, taskIdsOf } from './taskLookups.js';

/** The state of an empty hive (before its first input). */
export const emptySeekState = (): SeekState => ({ seq: 0, at: 0, counts: {}, live: new Map(), timers: new Map(), triggerKeys: new Map() });

/**
 * A store as of the seek point `state.seq` whose journal ends at `until`; a kernel recovers from it.
 * @example const kernel = replayKernel(new SeekView(reader, source, state, target))
 */
export class SeekView implements KernelStore {
  constructor(
    private readonly reader: SeekReader,
    private readonly journal: JournalSource,
    private readonly state: SeekState,
    private readonly until: number,
  ) {}

  async append(_record?: JournalRecord): Promise<void> {
    throw new StoreError('a replay store is read-only: it takes no new inputs');
  }

  async writeCheckpoint(_w?: CheckpointWrite): Promise<void> {
    throw new StoreError('a replay view is read-only');
  }

  journalAfter(after: number, until = Infinity): Iterable<JournalRecord> {
    return this.journal.records(after, Math.min(until, this.until));
  }

  checkpoint(): { seq: number; at: number } | undefined {
    return this.state.seq === 0 ? undefined : { seq: this.state.seq, at: this.state.at };
  }

  liveActors(): Iterable<[string, StoredActor]> {
    return this.state.live;
  }

  getActor(address: string): StoredActor | undefined {
    return this.state.live.get(address) ?? this.finished(address);
  }

  /**
   * A finished task (or a task's finished auction) as it was at the point: stored now, or kept
   * from a pruning after the point. Only these: their order says which input created them; other
   * kinds that finish (removed schedules and rate limits) are not kept once they left the live set.
   */
  private finished(address: string): StoredActor | undefined {
    if (!address.startsWith('task:') && !address.startsWith('auction:')) return undefined;
    // The incarnation alive at the point: the first pruned after it, else the one stored now.
    const actor = this.reader.retired(address).find(([seq]) => seq > this.state.seq)?.[1] ?? this.reader.storedActor(address);
    if (!actor || !existedAt(actor, this.state.seq) || !kinds[actor.kind as KindName]?.isFinished(actor.status)) return undefined;
    return actor;
  }

  storedTimers(): Iterable<StoredTimer> {
    return this.state.timers.values();
  }

  triggerKeys(): Iterable<[string, TriggerKeyRecord]> {
    return this.state.triggerKeys;
  }

  taskForIdempotencyKey(_key: string): string | undefined {
    return undefined; // only admission asks, and a replay admits nothing
  }

  taskIds(status?: string): Array<{ id: string; order: number }> {
    return taskIdsOf(this.allActors(), status);
  }

  countTasksByStatus(): Record<string, number> {
    return { ...this.state.counts };
  }

  finishedTasksBefore(before: number, terminal: readonly string[]): Generator<FinishedTask> {
    return finishedTasksBefore(this.finishedActors(), before, terminal);
  }

  /** Every actor at the point: the live ones, then the finished ones. */
  *allActors(): Generator<[string, StoredActor]> {
    yield* this.state.live;
    yield* this.finishedActors();
  }

  private *finishedActors(): Generator<[string, StoredActor]> {
    const seen = new Set<string>();
    const auctioned = (address: string, actor: StoredActor) =>
      address.startsWith('task:') && (actor.snapshot as { context?: { spec?: { assign?: string } } }).context?.spec?.assign === 'auction';
    const auctions: string[] = [];
    for (const [address, actor] of this.state.live) if (auctioned(address, actor)) auctions.push(`auction:${address.slice(5)}`);
    for (const source of [this.reader.storedTasks(), this.reader.retiredSince(this.state.seq), auctions]) {
      for (const address of source) {
        if (seen.has(address) || this.state.live.has(address)) continue;
        seen.add(address);
        const actor = this.finished(address);
        if (!actor) continue;
        yield [address, actor];
        // A finished auctioned task's auction is done too: not in the live set either.
        if (auctioned(address, actor)) auctions.push(`auction:${address.slice(5)}`);
      }
    }
  }
}
