import { StoreError } from '../errors.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { CheckpointWrite, StoredActor, StoredTimer } from '../store/HiveStore.js';
import type { KernelStore } from '../store/KernelStore.js';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import { type FinishedTask, finishedTasksBefore, taskIdsOf } from './taskLookups.js';

/** Where replay reads journal records from (a data directory or an imported recording). */
export interface JournalSource {
  records(after: number, until: number): Iterable<JournalRecord>;
}

/** Values of one key over time: `[seq, value]` pairs in write order; `undefined` means deleted. */
type History<V> = Map<string, Array<[number, V | undefined]>>;

function valueAt<V>(history: History<V>, key: string, asOf: number): V | undefined {
  const versions = history.get(key);
  if (!versions) return undefined;
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i]![0] <= asOf) return versions[i]![1];
  return undefined;
}

function put<V>(history: History<V>, key: string, seq: number, value: V | undefined): void {
  let versions = history.get(key);
  if (!versions) history.set(key, (versions = []));
  const last = versions[versions.length - 1];
  if (last && last[0] === seq) last[1] = value;
  else versions.push([seq, value]);
}

interface Versions {
  /** Actors are kept as JSON text: about a third of the memory of the objects, and no aliasing with live actors. */
  actors: History<string>;
  live: History<true>;
  timers: History<StoredTimer>;
  idempotency: History<string>;
  triggerKeys: History<TriggerKeyRecord>;
  /** Each checkpoint with the stored task counts by status as of it. */
  checkpoints: Array<{ seq: number; at: number; taskCounts: Record<string, number> }>;
  /** Latest stored status of each task, to keep the counts without parsing snapshots. */
  taskStatus: Map<string, string>;
}

/**
 * A KernelStore in memory. The writable store (built by `new MemoryStore(journal)`) starts empty
 * (a kernel recovering from it replays nothing; feed it records with `replayRecord`) and keeps every
 * checkpoint; `view(asOf, until)` is a read-only store as of the checkpoint at `asOf` whose journal
 * ends at `until`, which a fresh kernel can `recover()` from.
 * @example const store = new MemoryStore(journal); const kernel = new Kernel({ store, ... }); kernel.recover()
 */
export class MemoryStore implements KernelStore {
  private readonly v: Versions;

  constructor(
    private readonly journal: JournalSource,
    private readonly asOf = Infinity,
    private readonly until = 0,
    versions?: Versions,
  ) {
    this.v = versions ?? {
      actors: new Map(),
      live: new Map(),
      timers: new Map(),
      idempotency: new Map(),
      triggerKeys: new Map(),
      checkpoints: [],
      taskStatus: new Map(),
    };
  }

  /** A read-only store as of the checkpoint written at `asOf` (or the latest before it), journal ending at `until`. */
  view(asOf: number, until: number): MemoryStore {
    return new MemoryStore(this.journal, asOf, until, this.v);
  }

  /** Sequence numbers of the checkpoints written so far, ascending. */
  checkpointSeqs(): number[] {
    return this.v.checkpoints.map((c) => c.seq);
  }

  async append(_record?: JournalRecord): Promise<void> {
    throw new StoreError('a replay store is read-only: it takes no new inputs');
  }

  journalAfter(after: number, until = Infinity): Iterable<JournalRecord> {
    return this.journal.records(after, Math.min(until, this.until));
  }

  checkpoint(): { seq: number; at: number } | undefined {
    const c = this.checkpointEntry();
    return c ? { seq: c.seq, at: c.at } : undefined;
  }

  private checkpointEntry(): Versions['checkpoints'][number] | undefined {
    const cps = this.v.checkpoints;
    let lo = 0;
    let hi = cps.length - 1;
    let found: Versions['checkpoints'][number] | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cps[mid]!.seq <= this.asOf) {
        found = cps[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  *liveActors(): Generator<[string, StoredActor]> {
    for (const address of this.v.live.keys()) {
      if (!valueAt(this.v.live, address, this.asOf)) continue;
      const actor = valueAt(this.v.actors, address, this.asOf);
      if (actor) yield [address, JSON.parse(actor) as StoredActor];
    }
  }

  /** Every stored actor (live and passivated), in first-write order. */
  *allActors(): Generator<[string, StoredActor]> {
    for (const address of this.v.actors.keys()) {
      const actor = valueAt(this.v.actors, address, this.asOf);
      if (actor) yield [address, JSON.parse(actor) as StoredActor];
    }
  }

  getActor(address: string): StoredActor | undefined {
    const actor = valueAt(this.v.actors, address, this.asOf);
    return actor === undefined ? undefined : (JSON.parse(actor) as StoredActor);
  }

  *storedTimers(): Generator<StoredTimer> {
    for (const id of this.v.timers.keys()) {
      const t = valueAt(this.v.timers, id, this.asOf);
      if (t) yield t;
    }
  }

  taskForIdempotencyKey(key: string): string | undefined {
    return valueAt(this.v.idempotency, key, this.asOf);
  }

  *triggerKeys(): Generator<[string, TriggerKeyRecord]> {
    for (const key of this.v.triggerKeys.keys()) {
      const r = valueAt(this.v.triggerKeys, key, this.asOf);
      if (r) yield [key, r];
    }
  }

  taskIds(status?: string): Array<{ id: string; order: number }> {
    return taskIdsOf(this.allActors(), status);
  }

  countTasksByStatus(): Record<string, number> {
    return { ...this.checkpointEntry()?.taskCounts };
  }

  finishedTasksBefore(before: number, terminal: readonly string[]): Generator<FinishedTask> {
    return finishedTasksBefore(this.allActors(), before, terminal);
  }

  /**
   * Starts the store from a stored checkpoint (a compacted journal can only be replayed from there).
   * @example store.seed({ seq: 100, at, actors: [{ address: 'agent:a', actor, live: true }], timers: [] })
   */
  seed(state: { seq: number; at: number; actors: Array<{ address: string; actor: StoredActor; live: boolean }>; timers: StoredTimer[] }): void {
    void this.writeCheckpoint({
      seq: state.seq,
      at: state.at,
      actors: state.actors,
      timersSet: state.timers,
      timersCleared: [],
      idempotencyKeys: [],
      pruned: [],
    });
  }

  async writeCheckpoint(w: CheckpointWrite): Promise<void> {
    if (this.asOf !== Infinity) throw new StoreError('a replay view is read-only');
    const last = this.v.checkpoints[this.v.checkpoints.length - 1];
    if (last && w.seq < last.seq) throw new StoreError(`checkpoint at ${w.seq} is older than the last one (${last.seq})`);
    const counts = { ...last?.taskCounts };
    const count = (status: string | undefined, by: number) => {
      if (status === undefined) return;
      counts[status] = (counts[status] ?? 0) + by;
      if (counts[status] === 0) delete counts[status];
    };
    for (const { address, actor } of w.actors) {
      if (actor.kind !== 'task') continue;
      count(this.v.taskStatus.get(address), -1);
      count(actor.status, 1);
      this.v.taskStatus.set(address, actor.status);
    }
    for (const p of w.pruned) {
      count(this.v.taskStatus.get(p.address), -1);
      this.v.taskStatus.delete(p.address);
    }
    for (const { address, actor, live } of w.actors) {
      put(this.v.actors, address, w.seq, JSON.stringify(actor));
      // Only actors that were ever stored live get a live history: views scan it on every restore.
      if (live || this.v.live.has(address)) put(this.v.live, address, w.seq, live ? true : undefined);
    }
    for (const t of w.timersSet) put(this.v.timers, t.timerId, w.seq, t);
    for (const id of w.timersCleared) if (this.v.timers.has(id)) put(this.v.timers, id, w.seq, undefined);
    for (const [key, taskId] of w.idempotencyKeys) put(this.v.idempotency, key, w.seq, taskId);
    for (const p of w.pruned) {
      put(this.v.actors, p.address, w.seq, undefined);
      if (this.v.live.has(p.address)) put(this.v.live, p.address, w.seq, undefined);
      if (p.idempotencyKey !== undefined) put(this.v.idempotency, p.idempotencyKey, w.seq, undefined);
    }
    for (const address of w.removed ?? []) {
      put(this.v.actors, address, w.seq, undefined);
      if (this.v.live.has(address)) put(this.v.live, address, w.seq, undefined);
    }
    for (const [key, r] of w.triggerKeys?.set ?? []) put(this.v.triggerKeys, key, w.seq, r);
    for (const key of w.triggerKeys?.deleted ?? []) if (this.v.triggerKeys.has(key)) put(this.v.triggerKeys, key, w.seq, undefined);
    if (last && last.seq === w.seq) Object.assign(last, { at: w.at, taskCounts: counts });
    else this.v.checkpoints.push({ seq: w.seq, at: w.at, taskCounts: counts });
  }
}
