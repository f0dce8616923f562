/** @module HiveStore: the LMDB layout (journal, actor snapshots, timers, indexes) and its atomic checkpoint. */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { FormatError, LockedError, StoreError } from '../errors.js';
import type { Address } from '../../machines/address.js';
import type { TimerEvent } from '../../machines/types.js';
import type { JournalRecord } from '../kernel/inputs.js';
import type { KernelStore } from './KernelStore.js';

/** Version of the on-disk layout. A directory written by a newer version is refused. */
export const formatVersion = 1;

export type ActorKind = 'task' | 'agent' | 'coordinator' | 'remote';

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
  /** Delete journal records accepted before this time (ms) and covered by this checkpoint. */
  compactJournalBefore?: number;
}

/** Write failures can be injected here in tests (the store-fault tests of the crash suite use it). */
export interface StoreFaults {
  failAppend?: (record: JournalRecord) => Error | undefined;
  failCheckpoint?: () => Error | undefined;
}

export interface HiveStoreOptions {
  readOnly?: boolean;
  faults?: StoreFaults;
}

/**
 * Opens (creating if needed) a hive data directory.
 * @example const store = HiveStore.open('./.hivestate'); store.lastSeq()
 */
export class HiveStore implements KernelStore {
  private readonly root: RootDatabase;
  private readonly meta: Database<unknown, string>;
  private readonly journal: Database<JournalRecord, number>;
  private readonly actors: Database<StoredActor, string>;
  private readonly live: Database<true, string>;
  private readonly timers: Database<StoredTimer, string>;
  private readonly byStatus: Database<string, [string, number]>;
  private readonly byOrder: Database<string, number>;
  private readonly idempotency: Database<string, string>;
  private readonly lockPath: string | undefined;
  private closed = false;
  faults: StoreFaults;

  private constructor(readonly dir: string, options: HiveStoreOptions) {
    this.faults = options.faults ?? {};
    mkdirSync(dir, { recursive: true });
    this.lockPath = options.readOnly ? undefined : acquireLock(dir);
    try {
      this.root = open({ path: join(dir, 'hive.lmdb'), maxDbs: 12, readOnly: options.readOnly ?? false, mapSize: 2 ** 34 });
      const db = <V, K extends import('lmdb').Key>(name: string) => this.root.openDB<V, K>({ name });
      this.meta = db('meta');
      this.journal = db('journal');
      this.actors = db('actors');
      this.live = db('live');
      this.timers = db('timers');
      this.byStatus = db('byStatus');
      this.byOrder = db('byOrder');
      this.idempotency = db('idempotency');
      this.checkFormat(options.readOnly ?? false);
    } catch (err) {
      this.releaseLock();
      if (err instanceof FormatError) throw err;
      throw new StoreError(`cannot open data directory ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  static open(dir: string, options: HiveStoreOptions = {}): HiveStore {
    return new HiveStore(dir, options);
  }

  private checkFormat(readOnly: boolean): void {
    const found = this.meta.get('format');
    if (found === undefined) {
      if (this.journal.getKeysCount({ limit: 1 }) > 0) throw new FormatError(`data directory ${this.dir} has a journal but no format marker; refusing to open it`);
      if (!readOnly) this.meta.putSync('format', formatVersion);
      return;
    }
    if (typeof found !== 'number' || found > formatVersion) {
      throw new FormatError(
        `data directory ${this.dir} was written with format ${JSON.stringify(found)}; this hivestate reads format ${formatVersion} or older`,
      );
    }
  }

  /** Appends one record; resolves once it is durable. lmdb-js groups concurrent appends into one commit. */
  async append(record: JournalRecord): Promise<void> {
    const injected = this.faults.failAppend?.(record);
    if (injected) throw new StoreError(`journal append of input ${record.seq} failed: ${injected.message}`, { cause: injected });
    try {
      await this.journal.put(record.seq, record);
    } catch (err) {
      throw new StoreError(`journal append of input ${record.seq} failed: ${(err as Error).message}`, { cause: err });
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
    }
  }

  getActor(address: string): StoredActor | undefined {
    return this.actors.get(address);
  }

  *storedTimers(): Generator<StoredTimer> {
    for (const { value } of this.timers.getRange()) yield value;
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
    const injected = this.faults.failCheckpoint?.();
    if (injected) throw new StoreError(`checkpoint at input ${w.seq} failed: ${injected.message}`, { cause: injected });
    try {
      await this.root.transaction(() => {
        const counts = this.countTasksByStatus();
        const count = (status: string, by: number) => {
          counts[status] = (counts[status] ?? 0) + by;
          if (counts[status] === 0) delete counts[status];
        };
        for (const { address, actor, live, previousStatus, id } of w.actors) {
          if (actor.kind === 'task' && previousStatus !== actor.status) {
            if (previousStatus !== undefined) count(previousStatus, -1);
            count(actor.status, 1);
          }
          this.actors.put(address, actor);
          if (live) this.live.put(address, true);
          else this.live.remove(address);
          if (actor.kind === 'task' && id !== undefined) {
            if (previousStatus === undefined) this.byOrder.put(actor.order, id);
            else if (previousStatus !== actor.status) this.byStatus.remove([previousStatus, actor.order]);
            if (previousStatus !== actor.status) this.byStatus.put([actor.status, actor.order], id);
          }
        }
        for (const t of w.timersSet) this.timers.put(t.timerId, t);
        for (const id of w.timersCleared) this.timers.remove(id);
        for (const [key, taskId] of w.idempotencyKeys) this.idempotency.put(key, taskId);
        for (const p of w.pruned) {
          if (p.stored !== false) count(p.status, -1);
          this.actors.remove(p.address);
          this.live.remove(p.address);
          this.byStatus.remove([p.status, p.order]);
          this.byOrder.remove(p.order);
          if (p.idempotencyKey !== undefined) this.idempotency.remove(p.idempotencyKey);
        }
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
        this.meta.put('checkpoint', { seq: w.seq, at: w.at });
      });
    } catch (err) {
      throw new StoreError(`checkpoint at input ${w.seq} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Finished tasks stored before `before` (ms), oldest first, for pruning. */
  *finishedTasksBefore(before: number, terminal: readonly string[]): Generator<{ id: string; order: number; status: string; actor: StoredActor }> {
    for (const status of terminal) {
      for (const { key, value } of this.byStatus.getRange({ start: [status, -Infinity], end: [status, Infinity] })) {
        const actor = this.actors.get(`task:${value}`);
        const ctx = (actor?.snapshot as { context?: { finishedAt?: number } } | undefined)?.context;
        if (actor && ctx?.finishedAt !== undefined && ctx.finishedAt < before) {
          yield { id: value, order: (key as [string, number])[1], status, actor };
        }
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.root.close();
    } finally {
      this.releaseLock();
    }
  }

  private releaseLock(): void {
    if (this.lockPath) rmSync(this.lockPath, { force: true });
  }
}

/**
 * Single writer: a lock file holding the owner's pid, created exclusively. A lock left by a dead
 * process is taken over by renaming it aside first (atomic: only one process moves it) and checking
 * that what was moved really was the dead owner's, so two processes can never both take it.
 */
function acquireLock(dir: string): string {
  const path = join(dir, 'hive.lock');
  for (let tries = 0; tries < 5; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError(`cannot lock ${dir}: ${(err as Error).message}`, { cause: err });
    }
    const owner = readPid(path);
    if (owner !== undefined && isAlive(owner)) throw new LockedError(dir, owner);
    const aside = `${path}.${process.pid}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue; // someone else moved it first; look again
    }
    if (readPid(aside) !== owner) {
      // We moved a fresh lock another process had just taken: put it back.
      try {
        linkSync(aside, path);
      } catch {
        // the path was taken again meanwhile; the loop below sees that owner
      }
    }
    rmSync(aside, { force: true });
  }
  throw new StoreError(`cannot lock ${dir}: the lock file keeps changing hands`);
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
