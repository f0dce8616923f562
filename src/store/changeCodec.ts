/**
 * @module changeCodec: the history index's entries. Each records one input's effect on one actor as
 * an undo step: the state value and the context fields as they were before the input (only what
 * changed), and the messages that changed it. Walking back from a known later state (a stored
 * snapshot) rebuilds every earlier state exactly, so no state is stored twice. Before-values are
 * kept small without knowing any machine: a time equal to the time of one of the actor's previous
 * inputs as that reference (the journal has the time), an integer as its difference from the value
 * after, an array as the part between the prefix and suffix it shares with the value after.
 */
import type { StepCause, StepRecord } from '../kernel/StepLog.js';

/** One input's effect on one actor, stored as what to undo. */
export interface UndoEntry {
  /** The input's sequence number. */
  s: number;
  /** The messages that changed the actor for this input: [sender, event type]. */
  c: StepCause[];
  /** The state value before and after, when it changed. */
  v?: unknown;
  w?: unknown;
  /** Context fields that changed, with their values before (literal). */
  b?: Record<string, unknown>;
  /** Fields whose value before was the time of the actor's k-th previous entry in the same interval (k = 1..3). */
  r?: Record<string, number>;
  /** Integer fields: value after minus value before. */
  d?: Record<string, number>;
  /** Array fields: [length of the prefix and of the suffix shared with the value after, the elements before between them]. */
  a?: Record<string, [number, number, unknown[]]>;
  /** Context fields that did not exist before. */
  u?: string[];
  /** 1: the input created the actor (there is no state before). */
  n?: 1;
}

/** A state as replay reads it: the state value and the context. */
export interface ActorState {
  value: unknown;
  context: Record<string, unknown>;
}

/** Equal JSON values (contexts hold only JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * Tasks are many and short-lived: their entries share one compressed chunk per checkpoint. Other
 * actors (agents, the coordinator) live long and change often: each keeps its own segments, so
 * reading one of them never unpacks the others.
 */
export const sharesChunk = (address: string): boolean => address.startsWith('task:');

/** How many earlier entries a time reference may point back. */
const refDepth = 3;
const noTimes: readonly number[] = [];

/**
 * The undo entry for one step record, or undefined when the input left the actor as it was.
 * `previousAts` are the times of the actor's earlier entries in the same interval, newest first.
 * @example undoEntryOf({ seq: 5, at, address: 'task:t', born: false, causes: [['input', 'attempt.failed']], before, after }, [])
 */
export function undoEntryOf(rec: StepRecord, previousAts: readonly number[] = []): UndoEntry | undefined {
  if (rec.before === undefined) return { s: rec.seq, c: rec.causes, n: 1, w: rec.after.value };
  const before = rec.before.context as Record<string, unknown>;
  const after = rec.after.context as Record<string, unknown>;
  const entry: UndoEntry = { s: rec.seq, c: rec.causes };
  let changed = false;
  if (!same(rec.before.value, rec.after.value)) {
    entry.v = rec.before.value;
    entry.w = rec.after.value;
    changed = true;
  }
  if (before !== after) {
    // XState's assign keeps the references of fields it did not set: most are identical.
    for (const k in before) {
      const was = before[k];
      const now = after[k];
      if (was !== now && undoField(entry, k, was, now, previousAts)) changed = true;
    }
    for (const k in after) {
      if (!(k in before) && after[k] !== undefined && undoField(entry, k, undefined, after[k], previousAts)) changed = true;
    }
  }
  return changed ? entry : undefined;
}

/** Records how to undo one field's change in `entry`; false when the field did not change. */
function undoField(entry: UndoEntry, k: string, was: unknown, now: unknown, previousAts: readonly number[]): boolean {
  if (same(was, now)) return false;
  const ref = typeof was === 'number' ? previousAts.indexOf(was) : -1;
  if (was === undefined) (entry.u ??= []).push(k);
  else if (ref >= 0 && ref < refDepth) (entry.r ??= {})[k] = ref + 1;
  else if (Number.isSafeInteger(was) && Number.isSafeInteger(now) && Number.isSafeInteger((now as number) - (was as number)))
    (entry.d ??= {})[k] = (now as number) - (was as number);
  else if (Array.isArray(was) && Array.isArray(now)) (entry.a ??= {})[k] = arrayUndo(was, now);
  else (entry.b ??= {})[k] = was;
  return true;
}

/** How to get `before` back from `after`: the shared prefix and suffix lengths and what was between them. */
function arrayUndo(before: unknown[], after: unknown[]): [number, number, unknown[]] {
  let p = 0;
  while (p < before.length && p < after.length && same(before[p], after[p])) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && same(before[before.length - 1 - s], after[after.length - 1 - s])) s++;
  return [p, s, before.slice(p, before.length - s)];
}

/**
 * Groups step records into undo entries by actor, in input order.
 * @example const byActor = encodeChanges(w.changes)
 */
export function encodeChanges(records: StepRecord[]): Map<string, UndoEntry[]> {
  const out = new Map<string, UndoEntry[]>();
  const ats = new Map<string, number[]>();
  for (const rec of records) {
    let previous = ats.get(rec.address);
    const entry = undoEntryOf(rec, previous ?? noTimes);
    if (!entry) continue;
    if (!previous) ats.set(rec.address, (previous = []));
    previous.unshift(rec.at);
    if (previous.length > refDepth) previous.pop();
    let list = out.get(rec.address);
    if (!list) out.set(rec.address, (list = []));
    list.push(entry);
  }
  return out;
}

/**
 * The state before an entry, given the state after it (undefined when the entry created the actor).
 * `previousAt(k)` is the time of the actor's k-th entry before this one.
 * @example const before = undo(after, entry, (k) => atOf(entries[i - k]!.s))
 */
export function undo(after: ActorState, entry: UndoEntry, previousAt: (k: number) => number): ActorState | undefined {
  if (entry.n) return undefined;
  const context = { ...after.context, ...entry.b };
  for (const [k, back] of Object.entries(entry.r ?? {})) context[k] = previousAt(back);
  for (const [k, diff] of Object.entries(entry.d ?? {})) context[k] = (after.context[k] as number) - diff;
  for (const [k, [p, s, mid]] of Object.entries(entry.a ?? {})) {
    const now = after.context[k] as unknown[];
    context[k] = [...now.slice(0, p), ...mid, ...now.slice(now.length - s)];
  }
  for (const k of entry.u ?? []) delete context[k];
  return { value: entry.v === undefined ? after.value : entry.v, context };
}

/** The context fields an entry changed (every field, for the entry that created the actor). */
export function changedFields(entry: UndoEntry, after: ActorState): string[] {
  if (entry.n) return Object.keys(after.context).filter((k) => after.context[k] !== undefined);
  return [...Object.keys(entry.b ?? {}), ...Object.keys(entry.r ?? {}), ...Object.keys(entry.d ?? {}), ...Object.keys(entry.a ?? {}), ...(entry.u ?? [])];
}

/** A group of entries as stored: the distinct cause lists once (`k`), entries pointing at them. */
export interface PackedEntries {
  k: StepCause[][];
  e: Array<Omit<UndoEntry, 'c'> & { c: number }>;
}

/**
 * Packs entries into one group, sharing `table` with other groups of the same chunk: cause lists
 * are kept once and entries point at them, and sequence numbers after the first are differences.
 * @example const table = causeTable(); const packed = packEntries(entries, table); unpackEntries(packed, table.k)
 */
export function packEntries(entries: UndoEntry[], table: CauseTable): PackedEntries['e'] {
  const out: PackedEntries['e'] = new Array(entries.length);
  let previous = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    // The fields one by one (an object rest spread is slow): the same JSON as `{ s, c, ...rest }`.
    const p: PackedEntries['e'][number] = { s: i === 0 ? e.s : e.s - previous, c: table.index(e.c) };
    previous = e.s;
    if (e.v !== undefined) p.v = e.v;
    if (e.w !== undefined) p.w = e.w;
    if (e.b !== undefined) p.b = e.b;
    if (e.r !== undefined) p.r = e.r;
    if (e.d !== undefined) p.d = e.d;
    if (e.a !== undefined) p.a = e.a;
    if (e.u !== undefined) p.u = e.u;
    if (e.n !== undefined) p.n = e.n;
    out[i] = p;
  }
  return out;
}

export function unpackEntries(packed: PackedEntries['e'], causes: StepCause[][]): UndoEntry[] {
  let s = 0;
  return packed.map((e, i) => {
    s = i === 0 ? e.s : s + e.s;
    return { ...e, s, c: causes[e.c]! };
  });
}

/** The distinct cause lists of a chunk or segment. */
export interface CauseTable {
  readonly k: StepCause[][];
  index(causes: StepCause[]): number;
}

/** A node of the cause table's trie: one level per cause in the list, keyed by sender then event. */
interface CauseNode {
  i?: number;
  next?: Map<string, Map<string, CauseNode>>;
}

/**
 * A new, empty cause table. Lists are found in a trie of maps (sender, then event, per cause), so
 * looking one up builds no string.
 * @example const table = causeTable(); table.index([['input', 'created']]) // 0
 */
export function causeTable(): CauseTable {
  const k: StepCause[][] = [];
  const root: CauseNode = {};
  return {
    k,
    index(causes) {
      let node = root;
      for (const [from, event] of causes) {
        const byFrom = (node.next ??= new Map());
        let byEvent = byFrom.get(from);
        if (!byEvent) byFrom.set(from, (byEvent = new Map()));
        let child = byEvent.get(event);
        if (!child) byEvent.set(event, (child = {}));
        node = child;
      }
      if (node.i === undefined) {
        node.i = k.length;
        k.push(causes);
      }
      return node.i;
    },
  };
}
