/** @module MemorySeekReader: seek data and history index held in memory, as an imported recording carries them. */
import type { StoredActor } from '../store/HiveStore.js';
import type { SeekEntry } from '../store/seekCodec.js';
import type { ChunkValue, SeekItem, SeekReader, SegmentValue } from '../store/SeekReader.js';

/**
 * A SeekReader over items read from a recording, with the recording's stored actors.
 * @example const reader = new MemorySeekReader(0, items, new Map(actors))
 */
export class MemorySeekReader implements SeekReader {
  private readonly seqs: number[] = [];
  private readonly entries = new Map<number, SeekEntry>();
  private readonly chunks = new Map<number, ChunkValue>();
  private readonly segments = new Map<string, Array<[number, SegmentValue]>>();
  private readonly retiredBy = new Map<string, Array<[number, StoredActor]>>();

  constructor(
    private readonly first: number | undefined,
    items: Iterable<SeekItem>,
    private readonly stored: ReadonlyMap<string, StoredActor>,
    private readonly historyFrom = first ?? 0,
  ) {
    for (const item of items) {
      if ('seek' in item) this.entries.set(item.seek[0], item.seek[1]);
      else if ('chunk' in item) this.chunks.set(item.chunk[0], item.chunk[1]);
      else if ('segment' in item) {
        const [address, first, value] = item.segment;
        let list = this.segments.get(address);
        if (!list) this.segments.set(address, (list = []));
        list.push([first, value]);
      } else {
        const [address, seq, actor] = item.retired;
        let list = this.retiredBy.get(address);
        if (!list) this.retiredBy.set(address, (list = []));
        list.push([seq, actor]);
      }
    }
    this.seqs = [...this.entries.keys()].sort((a, b) => a - b);
    for (const list of this.retiredBy.values()) list.sort((a, b) => a[0] - b[0]);
    for (const list of this.segments.values()) list.sort((a, b) => a[0] - b[0]);
  }

  start(): number | undefined {
    return this.first;
  }

  historyStart(): number {
    return this.historyFrom;
  }

  *points(after: number, upTo: number): Generator<number> {
    for (let i = this.indexAfter(after); i < this.seqs.length && this.seqs[i]! <= upTo; i++) yield this.seqs[i]!;
  }

  pointAtOrBefore(seq: number): number | undefined {
    const i = this.indexAfter(seq) - 1;
    return i >= 0 ? this.seqs[i] : undefined;
  }

  pointAfter(seq: number): number | undefined {
    return this.seqs[this.indexAfter(seq)];
  }

  entry(seq: number): SeekEntry | undefined {
    return this.entries.get(seq);
  }

  chain(base: number, seq: number): Array<[number, SeekEntry]> {
    return [...this.points(base - 1, seq)].map((s) => [s, this.entries.get(s)!]);
  }

  chunk(checkpoint: number): ChunkValue | undefined {
    return this.chunks.get(checkpoint);
  }

  segmentsOf(address: string): Array<[number, SegmentValue]> {
    return this.segments.get(address) ?? [];
  }

  storedActor(address: string): StoredActor | undefined {
    return this.stored.get(address);
  }

  *storedTasks(): Generator<string> {
    for (const address of this.stored.keys()) if (address.startsWith('task:')) yield address;
  }

  retired(address: string): Array<[number, StoredActor]> {
    return this.retiredBy.get(address) ?? [];
  }

  *retiredSince(seq: number): Generator<string> {
    for (const [address, list] of this.retiredBy) if (list.some(([s]) => s > seq)) yield address;
  }

  *dump(upTo: number): Generator<SeekItem> {
    for (const s of this.points(-1, upTo)) yield { seek: [s, this.entries.get(s)!] };
    for (const [checkpoint, blob] of this.chunks) if (checkpoint <= upTo) yield { chunk: [checkpoint, blob] };
    for (const [address, list] of this.segments) for (const [first, value] of list) yield { segment: [address, first, value] };
    for (const [address, list] of this.retiredBy) for (const [s, actor] of list) yield { retired: [address, s, actor] };
  }

  /** Index of the first point greater than `seq`. */
  private indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid]! <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
