/**
 * @module SeekDb: the seek data and history index a live hive keeps beside its journal, written in
 * each checkpoint's transaction, so a replay can open a long run and start near any input with no
 * pass over the journal. Four LMDB databases:
 * - `seek`: checkpoint seq -> SeekEntry (a compressed full of every live actor and timer, or the
 *   delta since the previous checkpoint; a full is written once the deltas since the last one add
 *   up to `fullEvery` times its size, so restoring reads a bounded chain);
 * - `chunks`: checkpoint seq -> the undo entries of every task the interval changed (compressed);
 * - `segments`: [address, first seq] -> undo entries of one other actor (agents, the coordinator):
 *   each checkpoint adds a small frame, and `segmentSize` entries are sealed into one compressed
 *   segment;
 * - `retired`: [address, seq] -> the stored form of a task pruned at `seq` (a replay before the
 *   pruning still reads it);
 * - `blobs`: the compressed bytes of seek entries, chunks and sealed segments, in parts that stay in
 *   LMDB's leaf pages (see BlobParts).
 * `prune({ compactJournal: true })` deletes what the deleted journal records needed.
 */
import { taskAddress } from '../../machines/address.js';
import type { Key, RootDatabase } from 'lmdb';
import { BlobParts } from './BlobParts.js';
import type { HiveDatabases } from './openHiveDatabases.js';
import type { SealedDatabase } from './SealedDatabase.js';
import { seqOfOrder } from '../kernel/applyInput.js';
import { causeTable, encodeChanges, packEntries, sharesChunk, type PackedEntries, type UndoEntry } from './changeCodec.js';
import type { CheckpointWrite, StoredActor } from './HiveStore.js';
import { pack, packSync, restoreChain, unpackText, type SeekEntry, type SeekFull } from './seekCodec.js';
import { bloomOf } from './bloom.js';
import type { ChunkValue, SeekItem, SeekReader, SegmentValue } from './SeekReader.js';
import { composeDelta, composeFull } from './composeSeek.js';
import { seekSizes } from './seekSizes.js';
import { packGroup } from './segmentCodec.js';

/** What a checkpoint adds, prepared (compressed) before its transaction starts. */
export interface PreparedSeek {
  skip: boolean;
  full: boolean;
  rawBytes: number;
  blob: Uint8Array;
  chunk: ChunkValue | undefined;
  /** Segment writes: a frame, or a sealed segment replacing the frames at `remove`. */
  segments: Array<{ address: string; first: number; value: SegmentValue; remove: number[]; pending: Pending }>;
  retired: Array<[string, StoredActor]>;
  fresh: boolean;
}

/** A full is written once the deltas since the last one are this many times its size. */
export const fullEvery = 12;
/** Entries per sealed segment of an agent's (or the coordinator's) history... */
export const segmentSize = 1024;
/** ...or fewer, once this many frames hold them (an actor that changes rarely would leave many small frames to read). */
export const framesPerSegment = 32;

/** An actor's unsealed frames: how many, and how many entries they hold. */
type Pending = { frames: number; entries: number };

const lastKey = Number.MAX_SAFE_INTEGER;

/**
 * Stored forms: the compressed bytes live in `blobs`, under the sequence number of the checkpoint
 * that wrote them (so each checkpoint appends at the end of the tree and fills its pages), and
 * `parts` says how many pieces they took.
 */
type StoredEntry = Omit<SeekEntry, 'blob'> & { parts: number };
type StoredChunk = { f: Uint8Array; parts: number };
type StoredSegment = { n: number; sealed?: 1; at: number; parts: number };

const entryKey = (seq: number): Key[] => [seq, 'a'];
const chunkKey = (seq: number): Key[] => [seq, 'c'];
const segmentKey = (at: number, address: string, sealed: boolean): Key[] => [at, `${sealed ? 'z' : 'f'}${address}`];

export class SeekDb implements SeekReader {
  private readonly seek: SealedDatabase<StoredEntry, number>;
  private readonly chunks: SealedDatabase<StoredChunk, number>;
  private readonly segments: SealedDatabase<StoredSegment, [string, number]>;
  private readonly retiredDb: SealedDatabase<StoredActor, [string, number]>;
  private readonly blobs: BlobParts;
  /** False for a directory written before seek data existed, opened read-only (its databases cannot be created). */
  readonly present: boolean;
  /** The last full this process wrote (undefined: write a full next, as after opening). */
  private lastFull: { seq: number; bytes: number } | undefined;
  private deltaBytes = 0;
  /** Each actor's unsealed frames, read from the store on first use. */
  private readonly pending = new Map<string, Pending>();

  private readonly p: HiveDatabases;

  /** Over the hive's databases; without seek databases (a hive from before format 3, read-only) it reads as empty. */
  constructor(
    private readonly root: RootDatabase,
    dbs: HiveDatabases,
  ) {
    this.p = dbs;
    const seek = dbs.seek;
    this.present = seek !== undefined;
    this.seek = seek?.seek as SealedDatabase<StoredEntry, number>;
    this.chunks = seek?.chunks as SealedDatabase<StoredChunk, number>;
    this.segments = seek?.segments as SealedDatabase<StoredSegment, [string, number]>;
    this.retiredDb = seek?.retired as SealedDatabase<StoredActor, [string, number]>;
    this.blobs = new BlobParts(seek?.blobs as SealedDatabase<Uint8Array, Key[]>);
  }

  // ---------------------------------------------------------------- writing (the live hive)

  /**
   * Builds and compresses (off the main thread) what the checkpoint `w` adds; reads the state the
   * previous checkpoint stored, so it runs after that one committed and before `w`'s transaction.
   */
  async prepare(w: CheckpointWrite): Promise<PreparedSeek> {
    const last = this.lastPoint();
    const empty = w.actors.length === 0 && w.timersSet.length === 0 && w.timersCleared.length === 0 && w.pruned.length === 0;
    const skip = last === w.seq && empty && (w.changes?.length ?? 0) === 0;
    // A second checkpoint at the same input replaces the entry there, so it must stand on its own.
    const full =
      !skip && (this.lastFull === undefined || last === w.seq || w.compactJournalBefore !== undefined || this.deltaBytes >= fullEvery * this.lastFull.bytes);
    const json = skip ? '' : JSON.stringify(full ? composeFull(this.p, w) : composeDelta(this.p, w));
    const byActor = encodeChanges(w.changes ?? []);
    const table = causeTable();
    const chunk: Record<string, PackedEntries['e']> = {};
    const own: Array<[string, UndoEntry[]]> = [];
    for (const [address, entries] of byActor) {
      if (sharesChunk(address)) chunk[address] = packEntries(entries, table);
      else own.push([address, entries]);
    }
    const [blob, chunkBlob, segments] = await Promise.all([
      skip ? new Uint8Array() : pack(json, 'seek'),
      Object.keys(chunk).length > 0 ? pack(JSON.stringify({ k: table.k, t: chunk })) : undefined,
      Promise.all(own.map(([address, entries]) => this.segmentWrite(address, entries))),
    ]);
    const retired: Array<[string, StoredActor]> = [];
    for (const pr of w.pruned) {
      const actor = pr.stored === false ? undefined : this.p.actors.get(pr.address);
      if (actor) retired.push([pr.address, actor]);
    }
    // A pruned task's auction goes with it (in `removed`); kept like the task for replays before.
    for (const address of w.removed ?? []) {
      const actor = address.startsWith('auction:') ? this.p.actors.get(address) : undefined;
      if (actor) retired.push([address, actor]);
    }
    const fresh =
      this.p.meta.get('seekStart') === undefined &&
      this.p.meta.get('checkpoint') === undefined &&
      ((this.p.meta.get('journalStart') as number | undefined) ?? 1) === 1;
    const chunkValue = chunkBlob ? { f: bloomOf(Object.keys(chunk)), z: chunkBlob } : undefined;
    return { skip, full, rawBytes: json.length, blob, chunk: chunkValue, segments, retired, fresh };
  }

  /**
   * A new frame for `address`, or, once its frames would hold `segmentSize` entries or number
   * `framesPerSegment`, one sealed segment replacing them.
   */
  private async segmentWrite(address: string, entries: UndoEntry[]): Promise<PreparedSeek['segments'][number]> {
    const pending = this.pendingFor(address);
    if (pending.entries + entries.length < segmentSize && pending.frames + 1 < framesPerSegment) {
      return {
        address,
        first: entries[0]!.s,
        // A frame lives until its agent's next seal: the cheapest compression.
        value: { n: entries.length, z: await pack(packGroup(entries), 'seek') },
        remove: [],
        pending: { frames: pending.frames + 1, entries: pending.entries + entries.length },
      };
    }
    // Sealing joins the frames' JSON as it is (no parse): a sealed segment is an array of groups.
    const frames: Array<[number, string]> = [];
    for (const [first, value] of this.trailingFrames(address)) frames.unshift([first, unpackText(this.segmentValue(address, value).z)]);
    const first = frames[0]?.[0] ?? entries[0]!.s;
    const z = await pack(`[${[...frames.map(([, json]) => json), packGroup(entries)].join(',')}]`);
    return {
      address,
      first,
      value: { n: pending.entries + entries.length, z, sealed: 1 },
      remove: frames.map(([f]) => f).filter((f) => f !== first),
      pending: { frames: 0, entries: 0 },
    };
  }

  /** The frames after an actor's last sealed segment, newest first. */
  private *trailingFrames(address: string): Generator<[number, StoredSegment]> {
    for (const { key, value } of this.segments.getRange({ start: [address, lastKey], end: [address, -1], reverse: true })) {
      if (value.sealed) return;
      yield [(key as [string, number])[1], value];
    }
  }

  private pendingFor(address: string): Pending {
    let p = this.pending.get(address);
    if (p === undefined) {
      p = { frames: 0, entries: 0 };
      for (const [, value] of this.trailingFrames(address)) {
        p.frames++;
        p.entries += value.n;
      }
    }
    return p;
  }

  /** Writes what `prepare` built; runs inside the checkpoint's transaction, after the other writes. */
  write(w: CheckpointWrite, s: PreparedSeek, counts: Record<string, number>): void {
    if (s.skip) return;
    if (this.p.meta.get('seekStart') === undefined) this.p.meta.put('seekStart', s.fresh ? 0 : w.seq);
    // A hive that keeps no history index: histories up to here are replayed.
    if (w.changes === undefined) this.p.meta.put('historyAfter', w.seq);
    // Blobs in key order (entry 'a', chunk 'c', frames 'f…', sealed segments 'z…') after every stored
    // one: appended, they fill LMDB's pages (a checkpoint again at the same input rewrites in place).
    const last = this.blobs.lastFirst();
    const append = last === undefined || (last as number) < w.seq;
    this.putEntry(w.seq, { at: w.at, counts, base: s.full ? w.seq : this.lastFull!.seq, blob: s.blob }, append);
    if (s.chunk) {
      this.removeChunk(w.seq);
      this.chunks.putSync(w.seq, { f: s.chunk.f, parts: this.blobs.put(chunkKey(w.seq), s.chunk.z, append) }, { append });
    }
    // In key order, so the new blobs are appended.
    const tag = (seg: PreparedSeek['segments'][number]) => segmentKey(w.seq, seg.address, !!seg.value.sealed)[1] as string;
    for (const seg of [...s.segments].sort((a, b) => (tag(a) < tag(b) ? -1 : 1))) {
      for (const first of seg.remove) this.removeSegment(seg.address, first);
      this.removeSegment(seg.address, seg.first);
      const sealed = !!seg.value.sealed;
      const parts = this.blobs.put(segmentKey(w.seq, seg.address, sealed), seg.value.z, append);
      this.segments.put([seg.address, seg.first], { n: seg.value.n, ...(sealed ? { sealed: 1 as const } : {}), at: w.seq, parts });
    }
    for (const [address, actor] of s.retired) this.retiredDb.put([address, w.seq], actor);
    if (w.compactJournalBefore !== undefined) this.compact();
  }

  /** Called once the checkpoint's transaction committed. */
  committed(w: CheckpointWrite, s: PreparedSeek): void {
    if (s.skip) return;
    if (s.full) {
      this.lastFull = { seq: w.seq, bytes: s.rawBytes };
      this.deltaBytes = 0;
    } else this.deltaBytes += s.rawBytes;
    for (const seg of s.segments) this.pending.set(seg.address, seg.pending);
    if (w.compactJournalBefore !== undefined) this.pending.clear();
  }

  private putEntry(seq: number, entry: SeekEntry, append = false): void {
    this.removeEntry(seq);
    const { blob, ...rest } = entry;
    const parts = this.blobs.put(entryKey(seq), blob, append);
    if (append) this.seek.putSync(seq, { ...rest, parts }, { append: true });
    else this.seek.put(seq, { ...rest, parts });
  }

  private removeEntry(seq: number): void {
    const old = this.seek.get(seq);
    if (!old) return;
    this.blobs.remove(entryKey(seq), old.parts);
    this.seek.remove(seq);
  }

  private removeChunk(seq: number): void {
    const old = this.chunks.get(seq);
    if (!old) return;
    this.blobs.remove(chunkKey(seq), old.parts);
    this.chunks.remove(seq);
  }

  private removeSegment(address: string, first: number): void {
    const old = this.segments.get([address, first]);
    if (!old) return;
    this.blobs.remove(segmentKey(old.at, address, !!old.sealed), old.parts);
    this.segments.remove([address, first]);
  }

  /**
   * After the journal was compacted (in this transaction): the first seek point the kept journal
   * can replay from becomes the start, rewritten as a full if it was a delta; everything only
   * inputs before it needed (entries, chunks, segments, pruned copies) is deleted.
   */
  private compact(): void {
    const journalStart = (this.p.meta.get('journalStart') as number | undefined) ?? 1;
    const start = this.start() ?? 0;
    if (journalStart - 1 <= start) return;
    const first = this.pointAtOrAfter(journalStart - 1);
    if (first === undefined) return;
    const entry = this.entry(first)!;
    if (entry.base !== first) {
      const state = restoreChain(this.chain(entry.base, first));
      this.putEntry(first, {
        ...entry,
        base: first,
        blob: packSync({ actors: [...state.live], timers: [...state.timers.values()], triggerKeys: [...state.triggerKeys] } satisfies SeekFull),
      });
      for (const { key, value } of [...this.seek.getRange({ start: first + 1 })]) {
        if (value.base === entry.base) this.seek.put(key as number, { ...value, base: first });
      }
    }
    // Keys are collected before removing: removing under an open cursor may skip entries.
    for (const key of [...this.seek.getKeys({ end: first })]) this.removeEntry(key as number);
    for (const key of [...this.chunks.getKeys({ end: first + 1 })]) this.removeChunk(key as number);
    // A segment holds inputs up to the next one's first: it goes when that is at or before the new start.
    const keys = [...this.segments.getKeys()] as Array<[string, number]>;
    keys.forEach((k, i) => {
      const next = keys[i + 1];
      if (next && next[0] === k[0] && next[1] <= first + 1) this.removeSegment(k[0], k[1]);
    });
    for (const key of [...this.retiredDb.getKeys()] as Array<[string, number]>) if (key[1] <= first) this.retiredDb.remove(key);
    this.p.meta.put('seekStart', first);
  }

  // ---------------------------------------------------------------- reading (replay)

  start(): number | undefined {
    if (!this.present) return undefined;
    const kept = this.p.meta.get('seekStart') as number | undefined;
    if (kept !== undefined) return kept;
    // A hive that never checkpointed: its state at 0 is the empty hive.
    const journalStart = (this.p.meta.get('journalStart') as number | undefined) ?? 1;
    return this.p.meta.get('checkpoint') === undefined && journalStart === 1 ? 0 : undefined;
  }

  historyStart(): number {
    return Math.max(this.start() ?? 0, (this.p.meta.get('historyAfter') as number | undefined) ?? 0);
  }

  *points(after: number, upTo: number): Generator<number> {
    for (const key of this.seek.getKeys({ start: after + 1, end: upTo + 1 })) yield key as number;
  }

  pointAtOrBefore(seq: number): number | undefined {
    for (const key of this.seek.getKeys({ start: seq, reverse: true, limit: 1 })) return key as number;
    return undefined;
  }

  pointAfter(seq: number): number | undefined {
    return this.pointAtOrAfter(seq + 1);
  }

  private pointAtOrAfter(seq: number): number | undefined {
    for (const key of this.seek.getKeys({ start: seq, limit: 1 })) return key as number;
    return undefined;
  }

  private lastPoint(): number | undefined {
    for (const key of this.seek.getKeys({ reverse: true, limit: 1 })) return key as number;
    return undefined;
  }

  entry(seq: number): SeekEntry | undefined {
    const stored = this.seek.get(seq);
    return stored && this.withBlob(seq, stored);
  }

  private withBlob(seq: number, stored: StoredEntry): SeekEntry {
    const { parts, ...rest } = stored;
    return { ...rest, blob: this.blobs.get(entryKey(seq), parts) };
  }

  chain(base: number, seq: number): Array<[number, SeekEntry]> {
    return [...this.seek.getRange({ start: base, end: seq + 1 })].map(({ key, value }) => [key as number, this.withBlob(key as number, value)]);
  }

  chunk(checkpoint: number): ChunkValue | undefined {
    const stored = this.chunks.get(checkpoint);
    return stored && { f: stored.f, z: this.blobs.get(chunkKey(checkpoint), stored.parts) };
  }

  *segmentsOf(address: string): Generator<[number, SegmentValue]> {
    for (const { key, value } of this.segments.getRange({ start: [address, 0], end: [address, lastKey] })) {
      const first = (key as [string, number])[1];
      yield [first, this.segmentValue(address, value)];
    }
  }

  private segmentValue(address: string, value: StoredSegment): SegmentValue {
    const z = this.blobs.get(segmentKey(value.at, address, !!value.sealed), value.parts);
    return value.sealed ? { n: value.n, sealed: 1, z } : { n: value.n, z };
  }

  storedActor(address: string): StoredActor | undefined {
    return this.p.actors.get(address);
  }

  *storedTasks(): Generator<string> {
    for (const { value } of this.p.byOrder.getRange()) yield taskAddress(value as string);
  }

  retired(address: string): Array<[number, StoredActor]> {
    return [...this.retiredDb.getRange({ start: [address, 0], end: [address, lastKey] })].map(({ key, value }) => [(key as [string, number])[1], value]);
  }

  *retiredSince(seq: number): Generator<string> {
    for (const key of this.retiredDb.getKeys()) if ((key as [string, number])[1] > seq) yield (key as [string, number])[0];
  }

  *dump(upTo: number): Generator<SeekItem> {
    for (const key of this.seek.getKeys({ end: upTo + 1 })) yield { seek: [key as number, this.entry(key as number)!] };
    for (const key of this.chunks.getKeys({ end: upTo + 1 })) yield { chunk: [key as number, this.chunk(key as number)!] };
    for (const { key, value } of this.segments.getRange()) {
      const [address, first] = key as [string, number];
      yield { segment: [address, first, this.segmentValue(address, value)] };
    }
    for (const { key, value } of this.retiredDb.getRange()) yield { retired: [...(key as [string, number]), value] };
  }

  /** Bytes the seek data and history index take (pages in use), for reports. */
  sizes(): { seek: number; history: number; retired: number } {
    return this.present ? seekSizes(this.root, this.p) : { seek: 0, history: 0, retired: 0 };
  }
}

/** Whether a stored actor existed at input `seq` (its order starts with the input that created it). */
export function existedAt(actor: StoredActor, seq: number): boolean {
  return seqOfOrder(actor.order) <= seq;
}
