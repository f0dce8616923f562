/**
 * @module SeekReader: what replay reads of the seek data and history index that checkpoints keep,
 * from a data directory (`SeekDb`, LMDB) or an imported recording (`MemorySeekReader`).
 */
import type { StoredActor } from './HiveStore.js';
import type { SeekEntry } from './seekCodec.js';

/** One stored piece of an actor's history: `n` entries, compressed; `sealed` once frames were merged into a segment. */
export interface SegmentValue {
  n: number;
  z: Uint8Array;
  sealed?: 1;
}

/** One stored item of seek data, as a recording carries it. */
/** One checkpoint interval's task history: a Bloom filter of the addresses in it, and the compressed entries by address. */
export interface ChunkValue {
  f: Uint8Array;
  z: Uint8Array;
}

export type SeekItem =
  | { seek: [number, SeekEntry] }
  | { chunk: [number, ChunkValue] }
  | { segment: [string, number, SegmentValue] }
  | { retired: [string, number, StoredActor] };

export interface SeekReader {
  /**
   * The first input replay can start from using the seek data: 0 (the seek data goes back to an
   * empty hive) or a seek point after a compaction; undefined when there is no usable seek data.
   */
  start(): number | undefined;
  /** The history index covers the inputs after this one (later than `start` when a hive kept none for a while). */
  historyStart(): number;
  /** Seek points (checkpoint sequence numbers) in `after < seq <= upTo`, ascending. */
  points(after: number, upTo: number): Iterable<number>;
  /** The latest seek point at or before `seq`. */
  pointAtOrBefore(seq: number): number | undefined;
  /** The first seek point after `seq`. */
  pointAfter(seq: number): number | undefined;
  entry(seq: number): SeekEntry | undefined;
  /** The entries from `base` to `seq` inclusive, ascending: a full and the deltas after it. */
  chain(base: number, seq: number): Array<[number, SeekEntry]>;
  /** The history entries of every task the interval ending at `checkpoint` changed (compressed, by address). */
  chunk(checkpoint: number): ChunkValue | undefined;
  /** The history segments of an actor that is not a task, by the sequence number of their first entry, ascending. */
  segmentsOf(address: string): Iterable<[number, SegmentValue]>;
  /** An actor as the store holds it now. */
  storedActor(address: string): StoredActor | undefined;
  /** Every stored task address now. */
  storedTasks(): Iterable<string>;
  /** The stored forms of `address` kept when it was pruned, with the input each pruning was checkpointed at, ascending. */
  retired(address: string): Array<[number, StoredActor]>;
  /** Addresses of actors pruned after `seq` whose stored form is kept. */
  retiredSince(seq: number): Iterable<string>;
  /** Every seek entry and history entry up to checkpoint `upTo`, and every kept pruned actor (for recordings). */
  dump(upTo: number): Iterable<SeekItem>;
}
