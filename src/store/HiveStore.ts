/** @module HiveStore: the LMDB layout (journal, actor snapshots, timers, indexes) and its atomic checkpoint. */
import { taskAddress } from '../../machines/address.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { FormatError, StoreError } from '../errors.js';
import type { Address, KindName } from '../../machines/address.js';
import type { TimerEvent } from '../../machines/types.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { StepRecord } from '../kernel/StepLog.js';
import { journalCoveredKey, lastJournaled } from './checkDataDir.js';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import type { AuditRecord } from '../kernel/audit/AuditLog.js';
import type { KernelStore } from './KernelStore.js';
import { AuditIndex } from './AuditIndex.js';
import { prepareDataDir } from './prepareDataDir.js';
import { openHiveFile } from './openHiveFile.js';
import type { HiveDatabases } from './openHiveDatabases.js';
import { pageBytes } from './pageBytes.js';
import { SeekDb } from './SeekDb.js';
import { storeWriteError } from './storeWriteError.js';
import { acquireWriterLock, type WriterLock } from './writerLock.js';

export { formatVersion } from './openHiveDatabases.js';

export type ActorKind = KindName;

/** An actor as stored: its XState persisted snapshot plus what indexes need. */
export interface StoredActor {
  kind: ActorKind;
  status: string;
  order: number;
  snapshot: unknown;
}

export interface StoredTimer {
  timerId: string;
  due: number;
  target: Address;
  event: TimerEvent;
}

/** Everything one checkpoint writes, in one transaction. */
export interface CheckpointWrite {
  seq: number;
  at: number;
  actors: Array<{ address: string; actor: StoredActor; live: boolean; previousStatus?: string; id?: string }>;
  timersSet: StoredTimer[];
  timersCleared: string[];
  idempotencyKeys: Array<[string, string]>;
  /** `status` is the one the store holds (or will, once earlier checkpoints commit); `stored: false` when it never was. */
  pruned: Array<{ address: string; id: string; status: string; order: number; idempotencyKey?: string; stored?: boolean }>;
  /** Audit records derived since the last checkpoint (key: seq, index). */
  audit?: AuditRecord[];
  /** Delete audit records older than this time (ms), as `prune()` does finished tasks. */
  auditPruneBefore?: number;
  /** Delete journal records accepted before this time (ms) and covered by this checkpoint. */
  compactJournalBefore?: number;
  /** Actors deleted for good (pruned workers): their snapshots leave the store. */
  removed?: string[];
  /** Trigger idempotency keys stored and deleted since the last checkpoint. */
  triggerKeys?: { set: Array<[string, TriggerKeyRecord]>; deleted: string[] };
  /** What each input since the last checkpoint did to each actor (kept as the history index). */
  changes?: StepRecord[];
}

/** Write failures can be injected here in tests (the store-fault tests of the crash suite use it). */
export interface StoreFaults {
  failAppend?: (record: JournalRecord) => Error | undefined;
  failCheckpoint?: () => Error | undefined;
}

export interface HiveStoreOptions {
  readOnly?: boolean;
  faults?: StoreFaults;
  /**
   * Read-only: skip summing every stored actor's checksum at open, which reads the whole actors
   * database (replay reads only the actors it restores; each value is still checked when read). @default true
   */
  sumActors?: boolean;
}

/**
 * Opens (creating if needed) a hive data directory.
 * @example const store = HiveStore.open('./.hivestate'); store.lastSeq()
 */
export class HiveStore implements KernelStore {
  private readonly root: RootDatabase;
  private readonly meta: HiveDatabases['meta'];
  private readonly journal: HiveDatabases['journal'];
  private readonly actors: HiveDatabases['actors'];
  private readonly live: HiveDatabases['live'];
  private readonly timers: HiveDatabases['timers'];
  private readonly byStatus: HiveDatabases['byStatus'];
  private readonly byOrder: HiveDatabases['byOrder'];
  private readonly idempotency: HiveDatabases['idempotency'];
  private readonly readOnly: boolean;
  /** Undefined when a directory written before colonies existed is opened read-only. */
  private readonly triggerKeyDb: HiveDatabases['triggerKeys'];
  /** Coordination decisions, key [seq, index] (see kernel/audit/AuditLog); undefined when a directory written before format 4 is opened read-only. */
  private readonly audit: HiveDatabases['audit'];
  private auditIndex: AuditIndex | undefined;
  private readonly lock: WriterLock | undefined;
  private closing: Promise<void> | undefined;
  /** A write failed inside LMDB: its pending flush will never be confirmed, so close() does not wait for it. */
  private writeFailed = false;
  /** Seek data and the history index, written with each checkpoint (read by replay). */
  readonly seek: SeekDb;
  faults: StoreFaults;

  private constructor(
    readonly dir: string,
    options: HiveStoreOptions,
  ) {
    this.faults = options.faults ?? {};
    this.readOnly = options.readOnly ?? false;
    // A writer needs a directory it can create and write; a wrong one is a DataDirError saying why.
    if (this.readOnly) mkdirSync(dir, { recursive: true });
    else prepareDataDir(dir);
    this.lock = options.readOnly ? undefined : acquireWriterLock(dir);
    try {
      const { root, dbs } = openHiveFile(join(dir, 'hive.lmdb'), { readOnly: this.readOnly, sumActors: !this.readOnly || (options.sumActors ?? true) });
      this.root = root;
      ({ meta: this.meta, journal: this.journal, actors: this.actors, live: this.live, timers: this.timers } = dbs);
      ({ byStatus: this.byStatus, byOrder: this.byOrder, idempotency: this.idempotency, triggerKeys: this.triggerKeyDb } = dbs);
      // A writer of an older hive adds the seek databases and the audit log, now that every check passed.
      if (!dbs.seek && dbs.addSeekDatabases) dbs.addSeekDatabases();
      this.audit = dbs.addAuditDatabase ? dbs.addAuditDatabase() : dbs.audit;
      this.seek = new SeekDb(root, dbs);
    } catch (err) {
      this.lock?.release();
      if (err instanceof FormatError) throw err;
      throw new StoreError(`cannot open data directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  static open(dir: string, options: HiveStoreOptions = {}): HiveStore {
    return new HiveStore(dir, options);
  }

  /** Appends one record; resolves once it is durable. lmdb-js groups concurrent appends into one commit. */
  async append(record: JournalRecord): Promise<void> {
    const what = `journal append of input ${record.seq}`;
    this.lock?.assertHeld(what);
    const injected = this.faults.failAppend?.(record);
    if (injected) throw new StoreError(`${what} failed: ${injected.message}; nothing was recorded`, { cause: injected });
    try {
      await this.journal.put(record.seq, record);
    } catch (err) {
      this.writeFailed = true;
      throw await storeWriteError(this.root, what, err, () => this.journal.get(record.seq)?.seq === record.seq);
    }
  }

  lastSeq(): number {
    for (const key of this.journal.getKeys({ reverse: true, limit: 1 })) return key as number;
    return 0;
  }

  /** Journal records with seq > `after`, in order. A damaged record stops the scan with a FormatError. */
  *journalAfter(after: number, until = Infinity): Generator<JournalRecord> {
    for (const { key, value } of this.journal.getRange({ start: after + 1 })) {
      if ((key as number) > until) return;
      if (!value || typeof value !== 'object' || value.seq !== key || typeof value.at !== 'number' || !value.input) {
        throw new FormatError(`journal record ${String(key)} in ${this.dir} is damaged; refusing to replay past it`);
      }
      yield value;
    }
  }

  /** Bytes the journal takes in the data file (pages in use), for reports. */
  journalBytes(): number {
    return pageBytes(this.root, 'journal');
  }

  /** The first journal record kept (records before it were compacted away); 1 when none were. */
  journalStart(): number {
    return (this.meta.get('journalStart') as number | undefined) ?? 1;
  }

  checkpoint(): { seq: number; at: number } | undefined {
    return this.meta.get('checkpoint') as { seq: number; at: number } | undefined;
  }

  *liveActors(): Generator<[string, StoredActor]> {
    for (const address of this.live.getKeys()) {
      const actor = this.actors.get(address as string);
      if (actor) yield [address as string, actor];
      // A writer holds the directory still; a reader may see an actor pruned after it listed `live`.
      else if (!this.readOnly)
        throw new FormatError(`${this.dir}: live actor ${address} has no stored snapshot; the hive file is damaged`, { file: join(this.dir, 'hive.lmdb') });
    }
  }

  /**
   * Stored audit records in decision order (seq, then index).
   * @example [...store.auditRecords()].filter((r) => r.type === 'assign')
   */
  *auditRecords(): Generator<AuditRecord> {
    for (const { value } of this.audit?.getRange() ?? []) yield value;
  }

  /**
   * Stored audit records about `address` (as target or actor), oldest first, read through an
   * in-memory index (see AuditIndex); `last` is the key of the newest stored record.
   * @example store.auditAbout('task:t1').records.map((r) => r.type)
   */
  auditAbout(address: string): { records: AuditRecord[]; last: [number, number] | undefined } {
    if (!this.audit) return { records: [], last: undefined };
    return (this.auditIndex ??= new AuditIndex(this.audit)).about(address);
  }

  getActor(address: string): StoredActor | undefined {
    return this.actors.get(address);
  }

  /**
   * Stored actors of one kind (finished ones included), by address.
   * @example [...store.actorsOfKind('auction')]
   */
  *actorsOfKind(kind: ActorKind): Generator<[string, StoredActor]> {
    // Addresses sort as strings: every `<kind>:<id>` lies between `<kind>:` and `<kind>;`.
    for (const { key, value } of this.actors.getRange({ start: `${kind}:`, end: `${kind};` })) yield [key as string, value];
  }

  *storedTimers(): Generator<StoredTimer> {
    for (const { value } of this.timers.getRange()) yield value;
  }

  /** Stored trigger idempotency keys (any order; each record carries its age). */
  *triggerKeys(): Generator<[string, TriggerKeyRecord]> {
    if (!this.triggerKeyDb) return;
    for (const { key, value } of this.triggerKeyDb.getRange()) yield [key as string, value];
  }

  taskForIdempotencyKey(key: string): string | undefined {
    return this.idempotency.get(key);
  }

  /** Stored task ids, newest first, optionally of one status. */
  *taskIds(status?: string): Generator<{ id: string; order: number }> {
    if (status === undefined) {
      for (const { key, value } of this.byOrder.getRange({ reverse: true })) yield { id: value, order: key as number };
    } else {
      for (const { key, value } of this.byStatus.getRange({ start: [status, Infinity], end: [status, -Infinity], reverse: true })) {
        yield { id: value, order: (key as [string, number])[1] };
      }
    }
  }

  /** Stored task counts by status, kept in `meta` by every checkpoint (a scan only for a directory without them). */
  countTasksByStatus(): Record<string, number> {
    const kept = this.meta.get('taskCounts') as Record<string, number> | undefined;
    if (kept) return { ...kept };
    const counts: Record<string, number> = {};
    for (const key of this.byStatus.getKeys()) {
      const status = (key as [string, number])[0];
      counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  }

  /** Writes snapshots, timers, indexes and the checkpoint marker in one transaction. */
  async writeCheckpoint(w: CheckpointWrite): Promise<void> {
    const what = `checkpoint at input ${w.seq}`;
    this.lock?.assertHeld(what);
    this.lock?.restoreInfo();
    const injected = this.faults.failCheckpoint?.();
    if (injected) throw new StoreError(`${what} failed: ${injected.message}; nothing was recorded`, { cause: injected });
    try {
      const seek = await this.seek.prepare(w);
      // A synchronous transaction: an asynchronous one (`transaction(callback)`) has LMDB's write
      // thread wait for the main thread to run the callback, and a `process.exit()` in that window
      // never returns (the exit joins the write thread, which waits on the main thread). Every input
      // this checkpoint covers was flushed before it was applied, so nothing queued is reordered.
      this.root.transactionSync(() => {
        const counts = this.countTasksByStatus();
        const count = (status: string, by: number) => {
          counts[status] = (counts[status] ?? 0) + by;
          if (counts[status] === 0) delete counts[status];
        };
        // The actors' digest is summed in memory and stored once (see batchDigest).
        this.actors.batchDigest(() => this.writeActors(w, count));
        for (const t of w.timersSet) this.timers.put(t.timerId, t);
        for (const id of w.timersCleared) this.timers.remove(id);
        for (const [key, taskId] of w.idempotencyKeys) this.idempotency.put(key, taskId);
        this.actors.batchDigest(() => {
          for (const p of w.pruned) {
            if (p.stored !== false) count(p.status, -1);
            this.actors.remove(p.address);
            this.live.remove(p.address);
            this.byStatus.remove([p.status, p.order]);
            this.byOrder.remove(p.order);
            if (p.idempotencyKey !== undefined) this.idempotency.remove(p.idempotencyKey);
          }
          for (const address of w.removed ?? []) {
            this.actors.remove(address);
            this.live.remove(address);
          }
        });
        const audit = this.audit;
        if (audit) {
          for (const r of w.audit ?? []) audit.put([r.seq, r.index], r);
          // Records are keyed by seq, and seq grows with time: the old ones are a prefix.
          if (w.auditPruneBefore !== undefined) {
            for (const { key, value } of audit.getRange()) {
              if (value.at >= w.auditPruneBefore) break;
              audit.remove(key);
            }
          }
        }
        for (const [key, r] of w.triggerKeys?.set ?? []) this.triggerKeyDb?.put(key, r);
        for (const key of w.triggerKeys?.deleted ?? []) this.triggerKeyDb?.remove(key);
        if (w.compactJournalBefore !== undefined) {
          let start: number | undefined;
          for (const { key, value } of this.journal.getRange({ end: w.seq + 1 })) {
            if (value.at >= w.compactJournalBefore) break;
            this.journal.remove(key as number);
            start = (key as number) + 1;
          }
          if (start !== undefined) this.meta.put('journalStart', start);
        }
        this.meta.put('taskCounts', counts);
        this.meta.put(journalCoveredKey, lastJournaled(this.journal, w.seq));
        this.meta.put('checkpoint', { seq: w.seq, at: w.at });
        this.seek.write(w, seek, counts);
      });
      this.seek.committed(w, seek);
    } catch (err) {
      this.writeFailed = true;
      throw await storeWriteError(this.root, what, err, () => {
        const cp = this.checkpoint();
        return cp?.seq === w.seq && cp.at === w.at;
      });
    }
  }

  /** The changed actors of a checkpoint, with their indexes (inside its transaction). */
  private writeActors(w: CheckpointWrite, count: (status: string, by: number) => void): void {
    for (const { address, actor, live, previousStatus, id } of w.actors) {
      if (actor.kind === 'task' && previousStatus !== actor.status) {
        if (previousStatus !== undefined) count(previousStatus, -1);
        count(actor.status, 1);
      }
      this.actors.put(address, actor);
      if (live) this.live.put(address, true);
      // An actor never stored before (no previous status) is not in `live` either.
      else if (previousStatus !== undefined) this.live.remove(address);
      if (actor.kind === 'task' && id !== undefined) {
        if (previousStatus === undefined) this.byOrder.put(actor.order, id);
        else if (previousStatus !== actor.status) this.byStatus.remove([previousStatus, actor.order]);
        if (previousStatus !== actor.status) this.byStatus.put([actor.status, actor.order], id);
      }
    }
  }

  /** Finished tasks stored before `before` (ms), oldest first, for pruning. */
  *finishedTasksBefore(before: number, terminal: readonly string[]): Generator<{ id: string; order: number; status: string; actor: StoredActor }> {
    for (const status of terminal) {
      for (const { key, value } of this.byStatus.getRange({ start: [status, -Infinity], end: [status, Infinity] })) {
        const actor = this.actors.get(taskAddress(value as string));
        const ctx = (actor?.snapshot as { context?: { finishedAt?: number } } | undefined)?.context;
        if (actor && ctx?.finishedAt !== undefined && ctx.finishedAt < before) {
          yield { id: value, order: (key as [string, number])[1], status, actor };
        }
      }
    }
  }

  /**
   * Closes LMDB and releases the writer lock. Always settles, within `closeTimeoutMs` (or at once
   * after a write failure): lmdb-js never confirms the flush of a failed commit, and waiting for it
   * kept the lock held forever. An environment given up on stays mapped until the process exits;
   * nothing more is written through it.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        let closed: Promise<unknown>;
        try {
          closed = this.root.close();
        } catch {
          closed = Promise.resolve();
        }
        closed = closed.catch(() => undefined);
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.writeFailed ? 200 : closeTimeoutMs)));
        await Promise.race([closed, gaveUp]);
        clearTimeout(timer);
      } finally {
        this.lock?.release();
      }
    })();
    return this.closing;
  }
}

/** How long close() waits for LMDB to confirm its last flush before giving up on it. */
export const closeTimeoutMs = 10_000;
