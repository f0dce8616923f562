/** @module Replay: a read-only session over a recorded run: seek, step, list actors, show one, diff two points, list inputs, verify. */
import { statSync } from 'node:fs';
import type { Kernel, KernelMachines } from '../kernel/Kernel.js';
import type { InspectionRecord } from '../kernel/InspectionRecord.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { StoredActor } from '../store/HiveStore.js';
import { FormatError, ValidationError } from '../errors.js';
import { MemoryStore } from './MemoryStore.js';
import { importRecording } from './recording.js';
import { openDataDir, type ReplaySource } from './ReplaySource.js';
import { replayKernel } from './replayKernel.js';
import { verifyRun, type VerifyReport } from './verifyRun.js';

export interface ReplayOptions {
  /** Machines to replay with instead of the built-in ones (to test a changed machine against a recording). */
  machines?: Partial<KernelMachines>;
  /** Keep a seek point every this many inputs. @default 5000 */
  seekEvery?: number;
}

/** One actor at a point of the run. */
export interface ActorState extends StoredActor {
  address: string;
}

/** How one actor differs between two points. */
export interface ActorChange {
  address: string;
  change: 'added' | 'removed' | 'changed';
  from?: string;
  to?: string;
  /** Context fields whose values differ. */
  fields: string[];
}

export const defaultReplayOptions = { seekEvery: 5000 } as const;

/**
 * Opens a replay session on a data directory (read-only; a live hive may keep writing it) or on a
 * recording file made by `exportRecording`.
 * @example
 * const replay = await openReplay('./.hivestate')
 * await replay.seek(120); console.log(replay.actor('task:t1')?.status)
 */
export async function openReplay(source: string | ReplaySource, options: ReplayOptions = {}): Promise<Replay> {
  let src: ReplaySource;
  if (typeof source === 'string') {
    let isFile: boolean;
    try {
      isFile = statSync(source).isFile();
    } catch {
      throw new ValidationError('replay source', `${source} does not exist (give a data directory or a recording file)`);
    }
    src = isFile ? await importRecording(source) : openDataDir(source);
  } else src = source;
  return new Replay(src, { ...defaultReplayOptions, ...options });
}

export class Replay {
  private readonly base: MemoryStore;
  private readonly builder: Kernel;
  private builtTo: number;
  private cursor: Kernel;
  private cursorPoint: number;
  private pos: number;
  /** Where the replay starts: 0, or the stored checkpoint when the journal was compacted before it. */
  readonly firstSeq: number;

  /** @internal use openReplay() */
  constructor(
    readonly source: ReplaySource,
    private readonly o: { machines?: Partial<KernelMachines>; seekEvery: number },
  ) {
    if (!Number.isInteger(o.seekEvery) || o.seekEvery < 1) throw new ValidationError('seekEvery', 'must be a positive integer');
    this.base = new MemoryStore(source);
    this.firstSeq = 0;
    const first = source.firstSeq();
    if (first > 1) {
      const stored = source.storedState();
      if (!stored || stored.seq < first - 1) {
        throw new FormatError(
          `${source.origin}: the journal was compacted before input ${first} and no stored checkpoint covers the gap; it cannot be replayed`,
        );
      }
      this.base.seed(stored);
      this.firstSeq = stored.seq;
    }
    this.builtTo = this.cursorPoint = this.pos = this.firstSeq;
    this.builder = replayKernel(this.base, o.machines);
    this.cursor = replayKernel(this.base.view(this.firstSeq, this.firstSeq), o.machines);
  }

  /** The sequence number the session is at (0: before the first input). */
  get position(): number {
    return this.pos;
  }

  /** The last recorded sequence number (grows while a live hive writes the directory). */
  get lastSeq(): number {
    return this.source.lastSeq();
  }

  /** Sequence numbers of the seek points built so far. */
  get seekPoints(): number[] {
    return this.firstSeq === 0 ? [0, ...this.base.checkpointSeqs()] : this.base.checkpointSeqs();
  }

  /**
   * Moves to the state right after input `seq` (clamped to `firstSeq`..`lastSeq`). Starts from the nearest
   * seek point at or before it, so the cost is bounded by `seekEvery` inputs.
   * @example await replay.seek(1000); replay.actors()
   */
  async seek(seq: number): Promise<number> {
    if (!Number.isFinite(seq)) throw new ValidationError('seq', 'must be a number');
    const target = Math.max(this.firstSeq, Math.min(Math.floor(seq), this.lastSeq));
    await this.buildTo(target);
    const point = this.pointFor(target);
    if (target >= this.pos && point <= this.pos && this.cursorPoint === point) {
      for (const rec of this.source.records(this.pos, target)) this.cursor.replayRecord(rec);
    } else {
      this.cursor = replayKernel(this.base.view(point, target), this.o.machines);
      this.cursorPoint = point;
    }
    this.pos = target;
    return target;
  }

  /**
   * Steps `n` inputs forward (negative: back).
   * @example await replay.step(); await replay.step(-1)
   */
  step(n = 1): Promise<number> {
    return this.seek(this.pos + n);
  }

  /**
   * Every actor at the current point (hosted and passivated), by address.
   * @example (await replay.seek(10), replay.actors()).filter((a) => a.kind === 'task')
   */
  actors(): ActorState[] {
    const view = this.base.view(this.cursorPoint, this.pos);
    const addresses = new Set(this.cursor.hostedAddresses());
    for (const [address] of view.allActors()) addresses.add(address);
    const out: ActorState[] = [];
    for (const address of addresses) {
      const a = this.cursor.actorSnapshot(address);
      if (a) out.push({ address, ...a });
    }
    return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /**
   * One actor's stored form (status and XState persisted snapshot) at the current point.
   * @example replay.actor('agent:a1')?.snapshot
   */
  actor(address: string): ActorState | undefined {
    const a = this.cursor.actorSnapshot(address);
    return a ? { address, ...a } : undefined;
  }

  /**
   * The journaled inputs with `from < seq <= to`.
   * @example replay.inputs(0, 10).map((r) => r.input.type)
   */
  inputs(from: number, to: number): JournalRecord[] {
    return [...this.source.records(from, to)];
  }

  /**
   * Which actors changed between two points and how. Leaves the session at `to`.
   * @example await replay.diff(10, 20)
   */
  async diff(from: number, to: number): Promise<ActorChange[]> {
    await this.seek(from);
    const before = new Map(this.actors().map((a) => [a.address, a]));
    await this.seek(to);
    const after = new Map(this.actors().map((a) => [a.address, a]));
    const out: ActorChange[] = [];
    for (const [address, b] of after) {
      const a = before.get(address);
      if (!a) out.push({ address, change: 'added', to: b.status, fields: [] });
      else if (JSON.stringify(a.snapshot) !== JSON.stringify(b.snapshot) || a.status !== b.status) {
        out.push({ address, change: 'changed', from: a.status, to: b.status, fields: changedFields(a.snapshot, b.snapshot) });
      }
    }
    for (const [address, a] of before) if (!after.has(address)) out.push({ address, change: 'removed', from: a.status, fields: [] });
    return out.sort((x, y) => (x.address < y.address ? -1 : 1));
  }

  /**
   * The inspection records (messages, transitions, effects) that replaying `from < seq <= to`
   * produces: the run's timeline. Leaves the session at `to`.
   * @example (await replay.timeline(0, 5)).filter((r) => r.kind === 'transition')
   */
  async timeline(from: number, to: number): Promise<InspectionRecord[]> {
    await this.seek(from);
    const end = Math.max(from, Math.min(to, this.lastSeq));
    const records: InspectionRecord[] = [];
    const off = this.cursor.inspect((r) => records.push(r));
    try {
      for (const rec of this.source.records(this.pos, end)) this.cursor.replayRecord(rec);
    } finally {
      off();
    }
    this.pos = end;
    return records;
  }

  /**
   * Replays from the start and compares with the stored checkpoint; throws a
   * DeterminismViolationError naming the first diverging input and actor.
   * @example await replay.verify({ machines: { task: changedTaskMachine } })
   */
  verify(options: { machines?: Partial<KernelMachines>; lockstep?: boolean } = {}): Promise<VerifyReport> {
    if (this.firstSeq > 0)
      return Promise.reject(new FormatError(`${this.source.origin}: the journal was compacted up to input ${this.firstSeq}; verify needs it from input 1`));
    return verifyRun(this.source, {
      machines: options.machines ?? this.o.machines,
      seekEvery: this.o.seekEvery,
      ...(options.lockstep === undefined ? {} : { lockstep: options.lockstep }),
    });
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private pointFor(target: number): number {
    let point = this.firstSeq;
    for (const s of this.base.checkpointSeqs()) if (s <= target) point = s;
    return point;
  }

  /** Replays the run once, up to `target`, keeping a seek point every `seekEvery` inputs. */
  private async buildTo(target: number): Promise<void> {
    const k = this.o.seekEvery;
    const goal = this.firstSeq + Math.floor((target - this.firstSeq) / k) * k;
    while (this.builtTo < goal) {
      const next = this.builtTo + k;
      for (const rec of this.source.records(this.builtTo, next)) this.builder.replayRecord(rec);
      this.builtTo = next;
      await this.builder.checkpoint();
    }
  }
}

function changedFields(a: unknown, b: unknown): string[] {
  const ca = ((a as { context?: Record<string, unknown> }).context ?? {}) as Record<string, unknown>;
  const cb = ((b as { context?: Record<string, unknown> }).context ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(ca), ...Object.keys(cb)]);
  return [...keys].filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k])).sort();
}
