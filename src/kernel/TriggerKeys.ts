/**
 * @module TriggerKeys: the idempotency keys of trigger invocations, oldest first, with the changes
 * since the last checkpoint. Applied deterministically (time is the input's `at`, the TTL and the
 * maximum ride in the input), checkpointed with the actors, loaded on recovery.
 */

/** What a key remembers: the worker its first invocation spawned, and when. */
export interface TriggerKeyRecord {
  colonyId: string;
  workerId: string;
  at: number;
  /** The input that stored it: the order keys are evicted in. */
  seq: number;
}

/** Keys are scoped to their colony; colony ids never contain `/`. */
const keyOf = (colonyId: string, key: string) => `${colonyId}/${key}`;

export class TriggerKeys {
  /** Insertion order is age order: a key is only ever added newest. */
  private readonly byKey = new Map<string, TriggerKeyRecord>();
  private changes = new Map<string, TriggerKeyRecord | undefined>();

  get size(): number {
    return this.byKey.size;
  }

  /** Loads stored keys (not counted as changes). */
  load(entries: Iterable<[string, TriggerKeyRecord]>): void {
    const all = [...entries].sort((a, b) => a[1].seq - b[1].seq);
    for (const [k, r] of all) this.byKey.set(k, r);
  }

  /**
   * The live record of `key` at time `at`; an expired one is deleted and not returned.
   * @example keys.find('c1', 'order-7', core.at, 86_400_000)?.workerId
   */
  find(colonyId: string, key: string, at: number, ttlMs: number): TriggerKeyRecord | undefined {
    const k = keyOf(colonyId, key);
    const r = this.byKey.get(k);
    if (r === undefined) return undefined;
    if (at - r.at < ttlMs) return r;
    this.delete(k);
    return undefined;
  }

  /** Stores a key as the newest: expired keys go first, then the oldest while there are `max`. */
  add(key: string, r: TriggerKeyRecord, ttlMs: number, max: number): void {
    for (const [k, old] of this.byKey) {
      if (r.at - old.at < ttlMs && this.byKey.size < max) break;
      this.delete(k);
    }
    const k = keyOf(r.colonyId, key);
    this.byKey.set(k, r);
    this.changes.set(k, r);
  }

  /** Changes since the last call, for a checkpoint. */
  takeChanges(): { set: Array<[string, TriggerKeyRecord]>; deleted: string[] } {
    const set: Array<[string, TriggerKeyRecord]> = [];
    const deleted: string[] = [];
    for (const [k, r] of this.changes) {
      if (r === undefined) deleted.push(k);
      else set.push([k, r]);
    }
    this.changes = new Map();
    return { set, deleted };
  }

  private delete(k: string): void {
    this.byKey.delete(k);
    this.changes.set(k, undefined);
  }
}
