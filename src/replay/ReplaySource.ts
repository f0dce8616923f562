/** @module ReplaySource: what a replay reads, from a data directory (read-only, also while a hive writes it) or an imported recording. */
import { taskAddress } from '../../machines/address.js';
import { HiveStore, type StoredActor, type StoredTimer } from '../store/HiveStore.js';
import type { JournalRecord } from '../kernel/inputs.js';
import { coordinatorAddress } from '../../machines/types.js';
import type { SeekReader } from '../store/SeekReader.js';
import type { JournalSource } from './MemoryStore.js';
import type { AuditRecord } from '../kernel/audit/AuditLog.js';

/** The stored checkpoint: its position and everything stored with it. */
export interface StoredState {
  seq: number;
  at: number;
  actors: Array<{ address: string; actor: StoredActor; live: boolean }>;
  timers: StoredTimer[];
}

/** A recorded run: its journal and, when there is one, its stored checkpoint. */
export interface ReplaySource extends JournalSource {
  /** Where it came from (a directory or a file). */
  readonly origin: string;
  /** The last journaled sequence number (re-read each call: a live hive may still be writing). */
  lastSeq(): number;
  /** The first journal record kept (greater than 1 when the journal was compacted). */
  firstSeq(): number;
  /** The stored checkpoint's position, for `verify`. */
  checkpoint(): { seq: number; at: number } | undefined;
  /** Every actor stored with the checkpoint (live and passivated). */
  storedActors(): Iterable<[string, StoredActor]>;
  /** The stored checkpoint in full: where a replay of a compacted journal starts. */
  storedState(): StoredState | undefined;
  /** The seek data and history index the hive kept with its checkpoints, when there are any. */
  readonly seek?: SeekReader;
  /** The audit log as stored (a data directory, or a recording of version 3 or later). */
  audit?(): Iterable<AuditRecord>;
  /** The stored audit records about one address (as target or actor), oldest first, and the newest stored record's key; with `audit`. */
  auditAbout?(address: string): { records: AuditRecord[]; last: [number, number] | undefined };
  close(): Promise<void>;
}

/**
 * Opens a data directory read-only for replay. It takes no lock, so a live hive may keep writing.
 * @example const src = openDataDir('./.hivestate'); src.lastSeq()
 */
export function openDataDir(dir: string): ReplaySource {
  // Opening sums no stored actor: a replay reads only those it restores (each checked as it is read).
  const store = HiveStore.open(dir, { readOnly: true, sumActors: false });
  function* storedActors(): Generator<[string, StoredActor]> {
    const coordinator = store.getActor(coordinatorAddress);
    if (coordinator) yield [coordinatorAddress, coordinator];
    for (const [address, actor] of store.liveActors()) if (actor.kind !== 'task') yield [address, actor];
    for (const { id } of store.taskIds()) {
      const actor = store.getActor(taskAddress(id));
      if (actor) yield [taskAddress(id), actor];
    }
  }
  return {
    origin: dir,
    // A compaction may have removed every record, the checkpoint's included: it still counts.
    lastSeq: () => Math.max(store.lastSeq(), store.checkpoint()?.seq ?? 0),
    firstSeq: () => {
      for (const r of store.journalAfter(0)) return r.seq;
      return Math.max(store.lastSeq(), store.checkpoint()?.seq ?? 0) + 1;
    },
    records: (after, until) => store.journalAfter(after, until),
    checkpoint: () => store.checkpoint(),
    storedActors,
    storedState: () => {
      const cp = store.checkpoint();
      if (!cp) return undefined;
      const live = new Set([...store.liveActors()].map(([a]) => a));
      return {
        ...cp,
        actors: [...storedActors()].map(([address, actor]) => ({ address, actor, live: live.has(address) || actor.kind !== 'task' })),
        timers: [...store.storedTimers()],
      };
    },
    seek: store.seek,
    audit: () => store.auditRecords(),
    auditAbout: (address) => store.auditAbout(address),
    close: () => store.close(),
  };
}

/**
 * A replay source over records held in memory (an imported recording).
 * @example const src = memorySource('run.ndjson', records)
 */
export function memorySource(origin: string, journal: JournalRecord[], stored?: StoredState, seek?: SeekReader, audit?: readonly AuditRecord[]): ReplaySource {
  const lastSeq = journal.length > 0 ? journal[journal.length - 1]!.seq : (stored?.seq ?? 0);
  const first = journal[0]?.seq ?? lastSeq + 1;
  return {
    origin,
    lastSeq: () => lastSeq,
    firstSeq: () => first,
    *records(after, until) {
      // Records are dense and ascending, so the start index is known.
      for (let i = Math.max(0, after + 1 - first); i < journal.length && journal[i]!.seq <= until; i++) yield journal[i]!;
    },
    checkpoint: () => (stored ? { seq: stored.seq, at: stored.at } : undefined),
    storedActors: () => (stored?.actors ?? []).map((a): [string, StoredActor] => [a.address, a.actor]),
    storedState: () => stored,
    ...(seek ? { seek } : {}),
    ...(audit
      ? {
          audit: () => audit,
          auditAbout: (address: string) => {
            const newest = audit[audit.length - 1];
            return {
              records: audit.filter((r) => r.target === address || r.actor === address),
              last: newest ? ([newest.seq, newest.index] as [number, number]) : undefined,
            };
          },
        }
      : {}),
    close: async () => undefined,
  };
}
