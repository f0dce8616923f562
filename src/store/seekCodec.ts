/**
 * @module seekCodec: the seek data a checkpoint writes so replay can start near any input: per
 * checkpoint a compressed blob with either every live actor and timer (a full) or what changed
 * since the previous checkpoint (a delta), and the code that packs, unpacks and replays them.
 */
import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { promisify } from 'node:util';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import type { StoredActor, StoredTimer } from './HiveStore.js';

/** One checkpoint's seek entry, as stored under its sequence number. */
export interface SeekEntry {
  /** The checkpoint's time. */
  at: number;
  /** Stored tasks by status as of the checkpoint. */
  counts: Record<string, number>;
  /** The full this entry's chain starts from (its own sequence number when it is a full). */
  base: number;
  /** Compressed JSON of a SeekFull (base === seq) or a SeekDelta. */
  blob: Uint8Array;
}

/** Every live actor (the coordinator, agents, unfinished tasks, ...), every durable timer and trigger key. */
export interface SeekFull {
  actors: Array<[string, StoredActor]>;
  timers: StoredTimer[];
  triggerKeys?: Array<[string, TriggerKeyRecord]>;
}

/** What one checkpoint changed: actors that became live, changes to live ones, actors that finished (left the live set), timer changes. */
export interface SeekDelta {
  live: Array<[string, StoredActor]>;
  patched?: Array<[string, ActorPatch]>;
  done: string[];
  timersSet: StoredTimer[];
  timersCleared: string[];
  keysSet?: Array<[string, TriggerKeyRecord]>;
  keysDeleted?: string[];
}

/** How a live actor's stored form changed since the previous checkpoint (context fields set `c` or removed `u`). */
export interface ActorPatch {
  s?: string;
  o?: number;
  v?: unknown;
  c?: Record<string, unknown>;
  u?: string[];
}

/** The state a replay restores at a seek point. */
export interface SeekState {
  seq: number;
  at: number;
  counts: Record<string, number>;
  live: Map<string, StoredActor>;
  timers: Map<string, StoredTimer>;
  triggerKeys: Map<string, TriggerKeyRecord>;
}

/**
 * Brotli qualities: 5 for the history (most of the bytes; measured 30x at ~60 MB/s), 1 for the
 * seek entries and history frames (written every checkpoint, or soon replaced: the cheapest level,
 * about 19x at ~250 MB/s).
 */
const qualities = { history: 5, seek: 1 } as const;
const compressAsync = promisify(brotliCompress);

/**
 * JSON text, brotli-compressed off the main thread.
 * @example const blob = await pack(JSON.stringify({ live: [], done: [], timersSet: [], timersCleared: [] }), 'seek')
 */
export async function pack(json: string, kind: keyof typeof qualities = 'history'): Promise<Uint8Array> {
  return compressAsync(Buffer.from(json), { params: { [constants.BROTLI_PARAM_QUALITY]: qualities[kind] } });
}

/** The same, synchronously (used inside a write transaction, where awaiting is not possible). */
export function packSync(value: unknown, kind: keyof typeof qualities = 'history'): Uint8Array {
  return brotliCompressSync(Buffer.from(JSON.stringify(value)), { params: { [constants.BROTLI_PARAM_QUALITY]: qualities[kind] } });
}

/**
 * Reads what `pack` wrote.
 * @example unpack<SeekDelta>(entry.blob).done
 */
export function unpack<T>(blob: Uint8Array): T {
  return JSON.parse(unpackText(blob)) as T;
}

/** The JSON text `pack` compressed. */
export function unpackText(blob: Uint8Array): string {
  return brotliDecompressSync(blob).toString('utf8');
}

/**
 * Replays a chain of seek entries (a full, then the deltas after it, ascending) into the state at the last one.
 * @example const state = restoreChain([[100, full], [200, delta]])
 */
export function restoreChain(chain: Array<[number, SeekEntry]>): SeekState {
  const [first] = chain;
  if (!first || first[1].base !== first[0]) throw new Error(`a seek chain must start with a full entry (got ${first ? `a delta at ${first[0]}` : 'nothing'})`);
  const full = unpack<SeekFull>(first[1].blob);
  const live = new Map(full.actors);
  const timers = new Map(full.timers.map((t) => [t.timerId, t]));
  const triggerKeys = new Map(full.triggerKeys ?? []);
  const state = { live, timers, triggerKeys };
  for (const [, entry] of chain.slice(1)) applyDelta(state, unpack<SeekDelta>(entry.blob));
  const [seq, last] = chain[chain.length - 1]!;
  return { seq, at: last.at, counts: last.counts, ...state };
}

/** Applies one checkpoint's changes to a live set, timer table and trigger keys. */
export function applyDelta({ live, timers, triggerKeys }: Pick<SeekState, 'live' | 'timers' | 'triggerKeys'>, d: SeekDelta): void {
  for (const [address, actor] of d.live) live.set(address, actor);
  for (const [address, patch] of d.patched ?? []) {
    const before = live.get(address);
    if (!before) throw new Error(`seek data: a change to ${address}, which is not live`);
    live.set(address, applyPatch(before, patch));
  }
  for (const address of d.done) live.delete(address);
  for (const t of d.timersSet) timers.set(t.timerId, t);
  for (const id of d.timersCleared) timers.delete(id);
  for (const [k, r] of d.keysSet ?? []) triggerKeys.set(k, r);
  for (const k of d.keysDeleted ?? []) triggerKeys.delete(k);
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * The change from one stored form of an actor to the next, by top-level context field.
 * @example applyPatch(before, patchOf(before, after)) // equals after
 */
export function patchOf(before: StoredActor, after: StoredActor): ActorPatch {
  const patch: ActorPatch = {};
  if (before.status !== after.status) patch.s = after.status;
  if (before.order !== after.order) patch.o = after.order;
  const b = before.snapshot as { value: unknown; context: Record<string, unknown> };
  const a = after.snapshot as { value: unknown; context: Record<string, unknown> };
  if (!same(b.value, a.value)) patch.v = a.value;
  for (const k of new Set([...Object.keys(b.context), ...Object.keys(a.context)])) {
    if (same(b.context[k], a.context[k])) continue;
    if (a.context[k] === undefined) (patch.u ??= []).push(k);
    else (patch.c ??= {})[k] = a.context[k];
  }
  return patch;
}

/** The stored form after a patch. */
export function applyPatch(before: StoredActor, patch: ActorPatch): StoredActor {
  const snap = before.snapshot as { value: unknown; context: Record<string, unknown> };
  const context = { ...snap.context, ...patch.c };
  for (const k of patch.u ?? []) delete context[k];
  return {
    kind: before.kind,
    status: patch.s ?? before.status,
    order: patch.o ?? before.order,
    snapshot: { value: 'v' in patch ? patch.v : snap.value, context },
  };
}
