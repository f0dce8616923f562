/**
 * @module SeekPoints: where a replay can start from near any input. `storedSeekPoints` reads the
 * seek data a live hive wrote with its checkpoints (no pass over the journal); `builtSeekPoints`
 * builds points in memory by replaying once (recordings and directories written without seek data).
 */
import { FormatError } from '../errors.js';
import type { Kernel, KernelMachines } from '../kernel/Kernel.js';
import type { StoredActor } from '../store/HiveStore.js';
import type { KernelStore } from '../store/KernelStore.js';
import { restoreChain, type SeekState } from '../store/seekCodec.js';
import type { SeekReader } from '../store/SeekReader.js';
import { MemoryStore } from './MemoryStore.js';
import type { ReplaySource } from './ReplaySource.js';
import { replayKernel } from './replayKernel.js';
import { emptySeekState, SeekView } from './SeekView.js';

/** A store as of a seek point that also lists every actor. */
export interface PointView extends KernelStore {
  allActors(): Iterable<[string, StoredActor]>;
}

export interface SeekPoints {
  /** The first input a replay can be at (0, or a seek point after a compaction). */
  readonly firstSeq: number;
  /** True when the points come from stored seek data. */
  readonly stored: boolean;
  /** The points known so far. */
  list(): number[];
  /** The point to start from to reach `target` (built first, for points made by replay). */
  pointFor(target: number): Promise<number>;
  /** A store as of `point` whose journal ends at `until`. */
  viewAt(point: number, until: number): PointView;
}

/**
 * Seek points read from the seek data a live hive keeps. Restored states are cached (the last few).
 * @example const points = storedSeekPoints(source, source.seek!)
 */
export function storedSeekPoints(source: ReplaySource, reader: SeekReader): SeekPoints {
  const start = reader.start()!;
  const cache = new Map<number, SeekState>();
  const stateAt = (point: number): SeekState => {
    if (point === 0 && start === 0) return emptySeekState();
    let state = cache.get(point);
    if (!state) {
      const entry = reader.entry(point);
      if (!entry) throw new FormatError(`${source.origin}: no seek entry at input ${point}`);
      state = restoreChain(reader.chain(entry.base, point));
      if (cache.size >= 4) cache.delete(cache.keys().next().value!);
      cache.set(point, state);
    }
    return state;
  };
  return {
    firstSeq: start,
    stored: true,
    list: () => [...(start === 0 ? [0] : []), ...reader.points(start === 0 ? 0 : start - 1, Number.MAX_SAFE_INTEGER)],
    pointFor: async (target) => (target <= start ? start : (reader.pointAtOrBefore(target) ?? start)),
    viewAt: (point, until) => new SeekView(reader, source, stateAt(point), until),
  };
}

/**
 * Seek points built in memory by replaying the journal once, every `seekEvery` inputs, as far as
 * the furthest seek so far. A compacted journal starts from the stored checkpoint that covers it.
 * @example const points = builtSeekPoints(source, { seekEvery: 5000 })
 */
export function builtSeekPoints(source: ReplaySource, o: { machines?: Partial<KernelMachines>; seekEvery: number }): SeekPoints {
  const base = new MemoryStore(source);
  let firstSeq = 0;
  const first = source.firstSeq();
  if (first > 1) {
    const stored = source.storedState();
    if (!stored || stored.seq < first - 1) {
      throw new FormatError(`${source.origin}: the journal was compacted before input ${first} and no stored checkpoint covers the gap; it cannot be replayed`);
    }
    base.seed(stored);
    firstSeq = stored.seq;
  }
  let builtTo = firstSeq;
  let builder: Kernel | undefined;
  const buildTo = async (target: number) => {
    builder ??= replayKernel(base, o.machines);
    const k = o.seekEvery;
    const goal = firstSeq + Math.floor((target - firstSeq) / k) * k;
    while (builtTo < goal) {
      const next = builtTo + k;
      for (const rec of source.records(builtTo, next)) builder.replayRecord(rec);
      builtTo = next;
      await builder.checkpoint();
    }
  };
  const pointFor = (target: number) => {
    let point = firstSeq;
    for (const s of base.checkpointSeqs()) if (s <= target) point = s;
    return point;
  };
  return {
    firstSeq,
    stored: false,
    list: () => (firstSeq === 0 ? [0, ...base.checkpointSeqs()] : base.checkpointSeqs()),
    pointFor: async (target) => {
      await buildTo(target);
      return pointFor(target);
    },
    viewAt: (point, until) => base.view(point, until),
  };
}
