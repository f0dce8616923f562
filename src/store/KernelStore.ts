/** @module KernelStore: exactly the store methods the kernel calls, so replay can run the kernel over memory. */
import type { JournalRecord } from '../kernel/inputs.js';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import type { CheckpointWrite, StoredActor, StoredTimer } from './HiveStore.js';

/**
 * What the kernel needs from a store. `HiveStore` (LMDB) implements it for live hives and
 * `MemoryStore` (src/replay) for replay sessions.
 * @example const kernel = new Kernel({ store: HiveStore.open(dir), ... })
 */
export interface KernelStore {
  append(record: JournalRecord): Promise<void>;
  journalAfter(after: number, until?: number): Iterable<JournalRecord>;
  checkpoint(): { seq: number; at: number } | undefined;
  liveActors(): Iterable<[string, StoredActor]>;
  getActor(address: string): StoredActor | undefined;
  storedTimers(): Iterable<StoredTimer>;
  taskForIdempotencyKey(key: string): string | undefined;
  triggerKeys(): Iterable<[string, TriggerKeyRecord]>;
  taskIds(status?: string): Iterable<{ id: string; order: number }>;
  countTasksByStatus(): Record<string, number>;
  writeCheckpoint(w: CheckpointWrite): Promise<void>;
  finishedTasksBefore(before: number, terminal: readonly string[]): Iterable<{ id: string; order: number; status: string; actor: StoredActor }>;
}
