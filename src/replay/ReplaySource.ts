/** @module ReplaySource: what a replay reads, from a data directory (read-only, also while a hive writes it) or an imported recording. */
import { HiveStore, type StoredActor } from '../store/HiveStore.js';
import type { JournalRecord } from '../kernel/inputs.js';
import { coordinatorAddress } from '../../machines/types.js';
import type { JournalSource } from './MemoryStore.js';

/** A recorded run: its journal and, when there is one, its stored checkpoint. */
export interface ReplaySource extends JournalSource {
  /** Where it came from (a directory or a file). */
  readonly origin: string;
  /** The last journaled sequence number (re-read each call: a live hive may still be writing). */
  lastSeq(): number;
  /** The stored checkpoint and the actors stored with it, for `verify`. */
  checkpoint(): { seq: number; at: number } | undefined;
  storedActors(): Iterable<[string, StoredActor]>;
  close(): Promise<void>;
}

/**
 * Opens a data directory read-only for replay. It takes no lock, so a live hive may keep writing.
 * @example const src = openDataDir('./.hivestate'); src.lastSeq()
 */
export function openDataDir(dir: string): ReplaySource {
  const store = HiveStore.open(dir, { readOnly: true });
  return {
    origin: dir,
    lastSeq: () => store.lastSeq(),
    records: (after, until) => store.journalAfter(after, until),
    checkpoint: () => store.checkpoint(),
    *storedActors() {
      const coordinator = store.getActor(coordinatorAddress);
      if (coordinator) yield [coordinatorAddress, coordinator];
      for (const [address, actor] of store.liveActors()) if (actor.kind !== 'task') yield [address, actor];
      for (const { id } of store.taskIds()) {
        const actor = store.getActor(`task:${id}`);
        if (actor) yield [`task:${id}`, actor];
      }
    },
    close: () => store.close(),
  };
}

/**
 * A replay source over records held in memory (an imported recording).
 * @example const src = memorySource('run.ndjson', records, undefined, [])
 */
export function memorySource(origin: string, journal: JournalRecord[], checkpoint: { seq: number; at: number } | undefined, actors: Array<[string, StoredActor]>): ReplaySource {
  const lastSeq = journal.length > 0 ? journal[journal.length - 1]!.seq : 0;
  return {
    origin,
    lastSeq: () => lastSeq,
    *records(after, until) {
      // Records are dense and ascending from seq 1, so the start index is known.
      let i = Math.max(0, Math.min(journal.length, after - (journal[0]?.seq ?? 1) + 1));
      while (i > 0 && journal[i - 1]!.seq > after) i--;
      for (; i < journal.length && journal[i]!.seq <= until; i++) if (journal[i]!.seq > after) yield journal[i]!;
    },
    checkpoint: () => checkpoint,
    storedActors: () => actors,
    close: async () => undefined,
  };
}
