/**
 * @module actorHistory: every input that changed one actor, with its state before and after and
 * why. Stored history (the index checkpoints write) is walked back from a known state; inputs after
 * the last checkpoint, and runs without stored history, are replayed with the changes recorded.
 */
import type { KernelMachines } from '../kernel/Kernel.js';
import type { Input, JournalRecord } from '../kernel/inputs.js';
import type { PersistedSnap } from '../kernel/MachineStepper.js';
import { createdEvent, type StepCause, type StepRecord } from '../kernel/StepLog.js';
import { changedFields, sharesChunk, undo, undoEntryOf, unpackEntries, type ActorState, type PackedEntries, type UndoEntry } from '../store/changeCodec.js';
import { bloomHas } from '../store/bloom.js';
import { segmentEntries } from '../store/segmentCodec.js';
import { kinds } from '../kernel/kinds/index.js';
import type { KindName } from '../../machines/address.js';
import type { StoredActor } from '../store/HiveStore.js';
import { unpack } from '../store/seekCodec.js';
import type { SeekReader } from '../store/SeekReader.js';
import { FormatError } from '../errors.js';
import { MemoryStore } from './MemoryStore.js';
import type { ReplaySource } from './ReplaySource.js';
import { replayKernel } from './replayKernel.js';
import type { SeekPoints } from './SeekPoints.js';
import { seqOfOrder } from '../kernel/applyInput.js';

/** An actor's state value and the context fields an input changed. */
export interface HistoryState {
  value: string;
  context: Record<string, unknown>;
}

/** Why an input changed an actor. */
export interface HistoryCause {
  /** `api`: an API call (post, cancel, agent commands, prune) reached or created the actor; `outcome`: an attempt or verification result; `timer`: a durable timer fired; `message`: another actor (or the kernel) sent it a message. */
  kind: 'api' | 'outcome' | 'timer' | 'message';
  /** The input's type (`task.post`, `attempt.failed`, `timer.fired`, ...). */
  input: string;
  /** Who sent the first message: `input` (the journaled input itself), `timer`, `kernel`, or an actor address such as `coordinator` or `task:build-1`. */
  from: string;
  /** The first event the actor handled (`created` when the input created it). */
  event: string;
  /** Every message the actor handled for this input, in order. */
  messages: Array<{ from: string; event: string }>;
}

/** One input that changed an actor. `before` is null for the input that created it. */
export interface HistoryEntry {
  seq: number;
  at: number;
  input: Input;
  before: HistoryState | null;
  after: HistoryState;
  cause: HistoryCause;
}

/** What a history walk needs from the replay session. */
export interface HistoryContext {
  source: ReplaySource;
  points: SeekPoints;
  machines?: Partial<KernelMachines>;
  seekEvery: number;
}

/** An entry before the journal record is looked up: seq, causes, full states. */
interface RawChange {
  seq: number;
  causes: StepCause[];
  before: ActorState | undefined;
  after: ActorState;
  fields: string[];
}

const outcomeTypes = new Set<Input['type']>([
  'attempt.progress',
  'attempt.checkpoint',
  'attempt.succeeded',
  'attempt.failed',
  'attempt.rejected',
  'attempt.lost',
  'verify.passed',
  'verify.failed',
]);

/**
 * Every input with `from < seq <= to` that changed `address`, oldest first (the ranges of `replay.inputs`).
 * @example const entries = await actorHistory(ctx, 'task:build-1', {})
 */
export async function actorHistory(ctx: HistoryContext, address: string, range: { from?: number; to?: number }): Promise<HistoryEntry[]> {
  const last = ctx.source.lastSeq();
  // Inclusive from here on: the first input shown.
  const from = Math.max((range.from ?? 0) + 1, ctx.points.firstSeq + 1);
  const to = Math.min(range.to ?? last, last);
  if (from > to) return [];
  const reader = ctx.points.stored ? ctx.source.seek : undefined;
  const journal = new JournalCache(ctx.source);
  let changes: RawChange[];
  if (!reader) changes = await replayedChanges(ctx, address, ctx.points.firstSeq, to);
  // The hive kept no history index for part of the range: replay it, interval by interval.
  else if (from <= reader.historyStart()) changes = intervalChanges(ctx, reader, address, from, to);
  else changes = storedChanges(ctx, reader, journal, address, from, to);
  const out: HistoryEntry[] = [];
  for (const c of changes) {
    if (c.seq < from || c.seq > to) continue;
    const rec = journal.record(c.seq);
    if (!rec) continue;
    out.push({
      seq: c.seq,
      at: rec.at,
      input: rec.input,
      before: c.before ? pick(c.before, c.fields) : null,
      after: pick(c.after, c.fields),
      cause: causeOf(rec.input, c.causes),
    });
  }
  return out;
}

/** Stored intervals walked back from a known state, then the inputs after the last checkpoint replayed. */
function storedChanges(ctx: HistoryContext, reader: SeekReader, journal: JournalCache, address: string, from: number, to: number): RawChange[] {
  const start = ctx.points.firstSeq;
  const lastPoint = Math.max(start, reader.pointAtOrBefore(ctx.source.lastSeq()) ?? start);
  let tail: RawChange[] = [];
  let top: number;
  let anchor: StoredActor | undefined;
  if (to > lastPoint) {
    const view = ctx.points.viewAt(lastPoint, to);
    anchor = view.getActor(address);
    const kernel = replayKernel(view, ctx.machines, { recordChanges: true });
    tail = changesOf(kernel.takeChanges(), address);
    top = lastPoint;
  } else {
    top = reader.pointAfter(to - 1) ?? lastPoint;
    anchor = ctx.points.viewAt(top, top).getActor(address);
  }
  anchor ??= latestRetired(reader, address);
  if (!anchor || top <= start || from > lastPoint) return tail;
  const entries = sharesChunk(address) ? chunkEntries(reader, address, anchor, start, top) : segmentEntriesOf(reader, address, start, top);
  let state: ActorState = stateOf(anchor.snapshot as PersistedSnap<unknown>);
  const stored: RawChange[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    const before = undo(state, e, (k) => journal.time(entries[i - k]!.s));
    if (e.s <= to) stored.push({ seq: e.s, causes: e.c, before, after: state, fields: changedFields(e, state) });
    if (!before || e.s <= from) break;
    state = before;
  }
  return [...stored.reverse(), ...tail];
}

/** A task's entries up to checkpoint `top`: from the chunk of the interval that created it until it finished. */
function chunkEntries(reader: SeekReader, address: string, anchor: StoredActor, start: number, top: number): UndoEntry[] {
  const out: UndoEntry[] = [];
  const kind = kinds[anchor.kind as KindName];
  for (let c = reader.pointAfter(Math.max(seqOfOrder(anchor.order), start + 1) - 1); c !== undefined && c <= top; c = reader.pointAfter(c)) {
    const chunk = reader.chunk(c);
    if (!chunk || !bloomHas(chunk.f, address)) continue;
    const packed = unpack<{ k: StepCause[][]; t: Record<string, PackedEntries['e']> }>(chunk.z);
    const mine = packed.t[address];
    if (!mine) continue;
    const entries = unpackEntries(mine, packed.k);
    out.push(...entries);
    if (entries.some((e) => e.w !== undefined && kind?.isFinished(String(e.w)))) break;
  }
  return out;
}

/** An agent's (or the coordinator's) entries after `start` and up to `top`, from its segments. */
function segmentEntriesOf(reader: SeekReader, address: string, start: number, top: number): UndoEntry[] {
  const out: UndoEntry[] = [];
  for (const [, value] of reader.segmentsOf(address)) for (const e of segmentEntries(value)) if (e.s > start && e.s <= top) out.push(e);
  return out;
}

/** The stored form kept when `address` was last pruned (its final state), if it was. */
function latestRetired(reader: SeekReader, address: string): StoredActor | undefined {
  return reader.retired(address).at(-1)?.[1];
}

/**
 * Without stored history: replays from the start with changes recorded (checkpointing into memory
 * every `seekEvery` inputs, so finished actors leave memory as they do in a live hive).
 */
async function replayedChanges(ctx: HistoryContext, address: string, start: number, to: number): Promise<RawChange[]> {
  const base = new MemoryStore(ctx.source);
  if (start > 0) base.seed(ctx.source.storedState()!);
  const kernel = replayKernel(base, ctx.machines, { recordChanges: true });
  const out: RawChange[] = [];
  let n = 0;
  for (const rec of ctx.source.records(start, to)) {
    kernel.replayRecord(rec);
    if (++n % ctx.seekEvery === 0) {
      out.push(...changesOf(kernel.takeChanges(), address));
      await kernel.checkpoint();
    }
  }
  out.push(...changesOf(kernel.takeChanges(), address));
  return out;
}

/** Without the index: each checkpoint interval replayed from its stored seek point, changes recorded. */
function intervalChanges(ctx: HistoryContext, reader: SeekReader, address: string, from: number, to: number): RawChange[] {
  const out: RawChange[] = [];
  let point = reader.pointAtOrBefore(from - 1) ?? ctx.points.firstSeq;
  while (point < to) {
    const end = Math.min(to, reader.pointAfter(point) ?? to);
    const kernel = replayKernel(ctx.points.viewAt(point, end), ctx.machines, { recordChanges: true });
    out.push(...changesOf(kernel.takeChanges(), address));
    point = end;
  }
  return out;
}

/**
 * The replayed changes of `address`. What counts as a change is decided as the history index's
 * writer decides it (`undoEntryOf`): an input that left the actor as it was (it handled a message
 * and nothing differs) is in no stored history, so a replayed one leaves it out too, and the
 * fields shown are the ones a stored entry names.
 */
function changesOf(records: StepRecord[], address: string): RawChange[] {
  const out: RawChange[] = [];
  for (const r of records) {
    if (r.address !== address) continue;
    const entry = undoEntryOf(r);
    if (!entry) continue;
    const after = stateOf(r.after);
    out.push({ seq: r.seq, causes: r.causes, before: r.before ? stateOf(r.before) : undefined, after, fields: changedFields(entry, after) });
  }
  return out;
}

function stateOf(snap: PersistedSnap<unknown>): ActorState {
  return { value: snap.value, context: snap.context as Record<string, unknown> };
}

function pick(state: ActorState, fields: string[]): HistoryState {
  const context: Record<string, unknown> = {};
  for (const f of fields) context[f] = state.context[f];
  return { value: String(state.value), context };
}

/** Journal records read once per history walk (a time reference in an undo entry points at an earlier entry's input). */
class JournalCache {
  private readonly records = new Map<number, JournalRecord | undefined>();

  constructor(private readonly source: ReplaySource) {}

  record(seq: number): JournalRecord | undefined {
    if (!this.records.has(seq)) {
      let found: JournalRecord | undefined;
      for (const rec of this.source.records(seq - 1, seq)) found = rec;
      this.records.set(seq, found);
    }
    return this.records.get(seq);
  }

  time(seq: number): number {
    const rec = this.record(seq);
    if (!rec) throw new FormatError(`${this.source.origin}: the history index refers to input ${seq}, which the journal no longer has`);
    return rec.at;
  }
}

/**
 * Classifies why an input changed an actor, from the input and the messages the actor handled.
 * @example causeOf(rec.input, [['coordinator', 'hive.assign']]) // { kind: 'message', from: 'coordinator', ... }
 */
export function causeOf(input: Input, causes: StepCause[]): HistoryCause {
  const [from, event] = causes[0] ?? ['input', input.type];
  const messages = causes.map(([f, e]) => ({ from: f, event: e }));
  let kind: HistoryCause['kind'];
  if (from === 'timer') kind = 'timer';
  else if (from === 'input') kind = event !== createdEvent && outcomeTypes.has(input.type) ? 'outcome' : 'api';
  else kind = 'message';
  return { kind, input: input.type, from, event, messages };
}
