/**
 * @module AuditIndex: which stored audit records are about an address (as target or as actor), so
 * `hive.audit({ target })` and the inspector's audit trail read a few records instead of decoding
 * the whole audit log on every query. Kept in memory, not on disk (the file format stays as it is):
 * the first query reads the log once, later ones catch up from the last record seen, which also
 * follows a writer in another process. Records pruned by retention are dropped from it when the
 * log's first record moves past them.
 */
import type { AuditRecord } from '../kernel/audit/AuditLog.js';
import type { SealedDatabase } from './SealedDatabase.js';

type AuditKey = [seq: number, index: number];

const before = (a: AuditKey, b: AuditKey) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

export class AuditIndex {
  /** Keys of the records about each address, as flat [seq, index, seq, index, ...], oldest first. */
  private readonly byAddress = new Map<string, number[]>();
  /** The newest record indexed. */
  private last: AuditKey | undefined;
  /** The oldest record indexed (records before it were pruned). */
  private first: AuditKey | undefined;

  constructor(private readonly db: SealedDatabase<AuditRecord, AuditKey>) {}

  /**
   * The stored records about `address`, oldest first, and the key of the newest stored record.
   * @example index.about('task:t1').records.map((r) => r.type) // ['auction.award', 'assign']
   */
  about(address: string): { records: AuditRecord[]; last: AuditKey | undefined } {
    this.catchUp();
    const keys = this.byAddress.get(address) ?? [];
    const records: AuditRecord[] = [];
    for (let i = 0; i < keys.length; i += 2) {
      const r = this.db.get([keys[i]!, keys[i + 1]!]);
      if (r) records.push(r);
    }
    return { records, last: this.last };
  }

  private catchUp(): void {
    const [oldest] = this.db.getKeys({ limit: 1 });
    if (oldest === undefined) {
      this.byAddress.clear();
      this.first = this.last = undefined;
      return;
    }
    if (this.first && before(this.first, oldest)) this.dropBefore(oldest);
    this.first ??= oldest;
    const start = this.last ? [this.last[0], this.last[1] + 1] : undefined;
    for (const { key, value } of this.db.getRange(start ? { start } : {})) {
      this.add(value.target, key);
      if (value.actor !== value.target) this.add(value.actor, key);
      this.last = key;
    }
  }

  private add(address: string, [seq, index]: AuditKey): void {
    const keys = this.byAddress.get(address);
    if (keys) keys.push(seq, index);
    else this.byAddress.set(address, [seq, index]);
  }

  /** Forgets the records retention pruned: every one before the log's oldest record. */
  private dropBefore(oldest: AuditKey): void {
    for (const [address, keys] of this.byAddress) {
      let i = 0;
      while (i < keys.length && before([keys[i]!, keys[i + 1]!], oldest)) i += 2;
      if (i === keys.length) this.byAddress.delete(address);
      else if (i > 0) keys.splice(0, i);
    }
    this.first = oldest;
  }
}
