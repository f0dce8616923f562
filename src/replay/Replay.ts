/** @module Replay: a read-only session over a recorded run: seek, step, list actors, show one, diff two points, list inputs, actor histories, why, what-if forks, verify. */
import { addressId } from '../../machines/address.js';
import { statSync } from 'node:fs';
import type { Kernel, KernelMachines } from '../kernel/Kernel.js';
import type { InspectionRecord } from '../kernel/InspectionRecord.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { StoredActor } from '../store/HiveStore.js';
import { FormatError, ValidationError } from '../errors.js';
import { type CompiledReplayOptions, compileReplayOptions, type ReplayOptions } from './compileReplayOptions.js';
import { importRecording } from './recording.js';
import { openDataDir, type ReplaySource } from './ReplaySource.js';
import { replayKernel } from './replayKernel.js';
import { builtSeekPoints, storedSeekPoints, type SeekPoints } from './SeekPoints.js';
import { verifyRun, type VerifyReport } from './verifyRun.js';
import { actorHistory, type HistoryEntry } from './actorHistory.js';
import { explainWhy, type WhyReport } from './explainWhy.js';
import { writeFork } from './writeFork.js';
import type { Hive, HiveOptions } from '../createHive.js';
import { checkInt, checkKeys } from '../validate.js';

export type { ReplayOptions } from './compileReplayOptions.js';
export { defaultReplayOptions } from './compileReplayOptions.js';

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

/**
 * Opens a replay session on a data directory (read-only; a live hive may keep writing it) or on a
 * recording file made by `exportRecording`.
 * @example
 * const replay = await openReplay('./.hivestate')
 * await replay.seek(120); console.log(replay.actor('task:t1')?.status)
 */
export async function openReplay(source: string | ReplaySource, options: ReplayOptions = {}): Promise<Replay> {
  const compiled = compileReplayOptions(options);
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
  return new Replay(src, compiled);
}

export class Replay {
  private readonly points: SeekPoints;
  private cursor: Kernel;
  private cursorPoint: number;
  private pos: number;
  /** Where the replay starts: 0, or the first seek point the journal still covers after a compaction. */
  readonly firstSeq: number;

  /** @internal use openReplay() */
  constructor(
    readonly source: ReplaySource,
    private readonly o: CompiledReplayOptions,
  ) {
    const reader = source.seek;
    const start = reader?.start();
    // Stored seek data is used when the journal has every input after its first point and it reaches
    // back as far as replaying the journal would (a hive upgraded to seek data keeps older inputs).
    const replayFrom = source.firstSeq() > 1 ? (source.checkpoint()?.seq ?? 0) : 0;
    // Changed machines replay from the start: the stored points are the recorded machines' states.
    const stored = reader && start !== undefined && start + 1 >= source.firstSeq() && start <= replayFrom && o.machines === undefined;
    this.points = stored ? storedSeekPoints(source, reader) : builtSeekPoints(source, o);
    this.firstSeq = this.points.firstSeq;
    this.cursorPoint = this.pos = this.firstSeq;
    this.cursor = replayKernel(this.points.viewAt(this.firstSeq, this.firstSeq), o.machines);
  }

  /** The sequence number the session is at (0: before the first input). */
  get position(): number {
    return this.pos;
  }

  /** The last recorded sequence number (grows while a live hive writes the directory). */
  get lastSeq(): number {
    return this.source.lastSeq();
  }

  /** Sequence numbers of the seek points: those the hive stored with its checkpoints, or those built so far. */
  get seekPoints(): number[] {
    return this.points.list();
  }

  /** True when seeks start from seek data the hive stored (no pass over the journal). */
  get storedSeekData(): boolean {
    return this.points.stored;
  }

  /**
   * Moves to the state right after input `seq` (clamped to `firstSeq`..`lastSeq`). Starts from the
   * nearest seek point at or before it (a checkpoint of the recorded hive, or one built every
   * `seekEvery` inputs), so the cost is bounded by one checkpoint interval.
   * @example await replay.seek(1000); replay.actors()
   */
  async seek(seq: number): Promise<number> {
    if (!Number.isFinite(seq)) throw new ValidationError('seq', 'must be a number');
    const target = Math.max(this.firstSeq, Math.min(Math.floor(seq), this.lastSeq));
    const point = await this.points.pointFor(target);
    if (target >= this.pos && point <= this.pos && this.cursorPoint === point) {
      for (const rec of this.source.records(this.pos, target)) this.cursor.replayRecord(rec);
    } else {
      this.cursor = replayKernel(this.points.viewAt(point, target), this.o.machines);
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
    const view = this.points.viewAt(this.cursorPoint, this.pos);
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
   * Every input that changed the actor at `address` (in `from < seq <= to`), oldest first: the
   * input, the state value and changed context fields before and after, and the cause (API call,
   * outcome, timer, or a message from which actor). Read from the history index the hive stored
   * with its checkpoints; inputs after the last checkpoint are replayed. Does not move the session.
   * @example for (const e of await replay.history('task:build-1')) console.log(e.seq, e.before?.value, '->', e.after.value, e.cause.kind)
   */
  async history(address: string, range: { from?: number; to?: number } = {}): Promise<HistoryEntry[]> {
    const r = checkKeys('history', range, ['from', 'to']);
    if (typeof address !== 'string' || address === '')
      throw new ValidationError('address', 'must be an actor address such as task:build-1, agent:a1 or coordinator');
    const from = r.from === undefined ? undefined : checkInt('history.from', r.from, 0, Number.MAX_SAFE_INTEGER);
    const to = r.to === undefined ? undefined : checkInt('history.to', r.to, 0, Number.MAX_SAFE_INTEGER);
    return actorHistory(
      { source: this.source, points: this.points, seekEvery: this.o.seekEvery, ...(this.o.machines ? { machines: this.o.machines } : {}) },
      address,
      {
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      },
    );
  }

  /**
   * The chain of causes that led the actor at `address` to its last state: what created it, which
   * agent was chosen and why, which attempts failed, which retries and timeouts followed, and
   * through a failed dependency, why that one failed. The session ends where it was.
   * @example for (const s of (await replay.why('task:build-1')).steps) console.log(' '.repeat(s.depth * 2) + s.text)
   */
  async why(address: string): Promise<WhyReport> {
    const back = this.pos;
    try {
      return await explainWhy({ history: (a) => this.history(a), agentsBefore: (seq) => this.agentsAfter(seq - 1) }, address);
    } finally {
      await this.seek(back);
    }
  }

  /** Every agent's state after input `seq`. Moves the session there. */
  private async agentsAfter(seq: number): Promise<Array<{ id: string; status: string; context: Record<string, unknown> }>> {
    await this.seek(seq);
    return this.cursor
      .hostedAddresses()
      .filter((a) => a.startsWith('agent:'))
      .map((a) => {
        const s = this.cursor.actorSnapshot(a)!;
        return { id: addressId(a), status: s.status, context: (s.snapshot as { context: Record<string, unknown> }).context };
      });
  }

  /**
   * What if: writes a new data directory whose journal is this run's inputs 1..`atSeq` with the
   * inputs in `replace` swapped (an outcome for another outcome of the same task and attempt; fields
   * not given come from the recorded input), then opens it as a live hive with `hive`'s options:
   * it carries on from there with real handlers (attempts running at `atSeq` run again). The
   * recorded run is never modified. Replaying never runs handlers.
   * @example const hive = await replay.fork(57, { dataDir: './what-if', replace: { 57: { type: 'attempt.succeeded', output: 'ok' } }, hive: { handlers } })
   */
  async fork(atSeq: number, options: { dataDir: string; replace?: Record<number, unknown>; hive?: HiveOptions }): Promise<Hive> {
    const o = checkKeys('fork', options, ['dataDir', 'replace', 'hive']);
    const hive = (o.hive === undefined ? {} : checkKeys('fork.hive', o.hive, Object.keys(o.hive as object))) as HiveOptions;
    if (hive.dataDir !== undefined && hive.dataDir !== o.dataDir)
      throw new ValidationError('fork.hive.dataDir', `the fork opens ${String(o.dataDir)}; leave hive.dataDir out or give the same directory`);
    await writeFork(this.source, atSeq, {
      dataDir: o.dataDir as string,
      ...(o.replace === undefined ? {} : { replace: o.replace as Record<number, unknown> }),
    });
    const { createHive } = await import('../createHive.js');
    return createHive({ ...hive, dataDir: o.dataDir as string });
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
}

function changedFields(a: unknown, b: unknown): string[] {
  const ca = ((a as { context?: Record<string, unknown> }).context ?? {}) as Record<string, unknown>;
  const cb = ((b as { context?: Record<string, unknown> }).context ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(ca), ...Object.keys(cb)]);
  return [...keys].filter((k) => JSON.stringify(ca[k]) !== JSON.stringify(cb[k])).sort();
}
