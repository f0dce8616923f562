/**
 * @module SealedDatabase: one named LMDB database whose values carry a checksum (format 2), with the
 * subset of lmdb-js's API the store uses. A value that fails its check or does not decode is a
 * `FormatError` naming the file, the database and the key, never a wrong value or an untyped error.
 */
import type { Database, Key, RangeOptions } from 'lmdb';
import { FormatError, StoreError } from '../errors.js';
import { entryDigest, sealValue, unsealValue } from './sealValue.js';

/** Turns values into bytes and back (lmdb-js's own msgpack encoder). */
export interface Codec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

export interface SealedDatabaseOptions {
  name: string;
  /** The data file, for messages. */
  file: string;
  /** Format 2 seals every value; format 1 stored plain msgpack. */
  sealed: boolean;
  codec: Codec;
  /**
   * Keeps the sum of this database's entry digests (`entryDigest`; string keys only) in `meta`
   * under `key`, updated in the same transaction as each write, so a lost, stale or renamed entry
   * is seen by summing them again. Writes to such a database must run inside a write transaction (`root.transactionSync()`).
   */
  digest?: { meta: SealedDatabase<unknown, string>; key: string };
  /** Keys whose values stay plain msgpack in every format (meta's format marker, read before the format is known). */
  plainKeys?: readonly string[];
}

/** LMDB errors that mean the file's structure is damaged rather than the system failing. */
const damaged = /MDB_(CORRUPTED|PAGE_NOTFOUND|BAD_TXN|INVALID|BAD_VALSIZE|BAD_DBI|VERSION_MISMATCH|INCOMPATIBLE)/;

/**
 * Maps an error thrown by an LMDB read to a typed one.
 * @example try { db.get(k) } catch (err) { throw readError(err, 'hive.lmdb', 'reading database actors') }
 */
export function readError(err: unknown, file: string, what: string): Error {
  if (err instanceof FormatError || err instanceof StoreError) return err;
  const message = (err as Error)?.message ?? String(err);
  // lmdb-js decoding a damaged key or value throws plain JavaScript errors (TypeError, RangeError).
  const decoding = err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
  if (decoding || damaged.test(message)) return new FormatError(`${file} is damaged: ${what} failed with ${message}`, { file, cause: err });
  return new StoreError(`${file}: ${what} failed: ${message}`, { cause: err });
}

/**
 * A database of the hive file, opened with binary values and sealed/unsealed here.
 * @example const actors = new SealedDatabase<StoredActor, string>(root.openDB({ name: 'actors', encoding: 'binary' }), options)
 */
export class SealedDatabase<V, K extends Key = Key> {
  constructor(
    private readonly db: Database<Buffer, K>,
    readonly options: SealedDatabaseOptions,
  ) {}

  get name(): string {
    return this.options.name;
  }

  get(key: K): V | undefined {
    let stored: Buffer | undefined;
    try {
      stored = this.db.getBinaryFast(key);
    } catch (err) {
      throw readError(err, this.options.file, `reading ${this.where(key)}`);
    }
    return stored === undefined ? undefined : this.decode(key, stored);
  }

  /** Resolves once committed (or at once inside a transaction), like lmdb-js's `put`. */
  put(key: K, value: V): Promise<boolean> {
    const stored = this.encode(key, value);
    this.track(key, stored);
    return this.db.put(key, stored);
  }

  /** With `append`, the key must sort after every stored one: LMDB then fills pages instead of splitting them. */
  putSync(key: K, value: V, flags?: { append?: boolean }): void {
    const stored = this.encode(key, value);
    this.track(key, stored);
    if (flags) this.db.putSync(key, stored, flags);
    else this.db.putSync(key, stored);
  }

  remove(key: K): Promise<boolean> {
    this.track(key, undefined);
    return this.db.remove(key);
  }

  /** Entries in key order (lmdb-js range options), each value checked and decoded. */
  *getRange(options: RangeOptions = {}): Generator<{ key: K; value: V }> {
    for (const { key, stored } of this.rawRange(options)) yield { key, value: this.decode(key, stored) };
  }

  /** Entries with their stored bytes, unchecked: for digests and the doctor. */
  *rawRange(options: RangeOptions = {}): Generator<{ key: K; stored: Buffer }> {
    const what = `reading database ${this.options.name}`;
    let iterator: Iterator<{ key: K; value: Buffer }>;
    try {
      iterator = this.db.getRange(options)[Symbol.iterator]();
    } catch (err) {
      throw readError(err, this.options.file, what);
    }
    for (;;) {
      let next: IteratorResult<{ key: K; value: Buffer }>;
      try {
        next = iterator.next();
      } catch (err) {
        throw readError(err, this.options.file, what);
      }
      if (next.done) return;
      yield { key: next.value.key, stored: next.value.value };
    }
  }

  *getKeys(options: RangeOptions = {}): Generator<K> {
    const what = `reading the keys of database ${this.options.name}`;
    try {
      for (const key of this.db.getKeys(options)) yield key;
    } catch (err) {
      throw readError(err, this.options.file, what);
    }
  }

  getKeysCount(options: RangeOptions = {}): number {
    try {
      return this.db.getKeysCount(options);
    } catch (err) {
      throw readError(err, this.options.file, `counting database ${this.options.name}`);
    }
  }

  /** Entries LMDB records for this database (its own counter, read without walking the tree). */
  entryCount(): number {
    try {
      return (this.db.getStats() as { entryCount: number }).entryCount;
    } catch (err) {
      throw readError(err, this.options.file, `reading the statistics of database ${this.options.name}`);
    }
  }

  /** The entry's share of the database digest (0 for format 1, which keeps no checksums). */
  digestOf(key: K, stored: Uint8Array): number {
    return this.isSealed(key) ? entryDigest(String(key), stored) : 0;
  }

  /** Checks and decodes stored bytes read by `rawRange`. */
  decode(key: K, stored: Uint8Array): V {
    let payload: Uint8Array | string = stored;
    if (this.isSealed(key)) payload = unsealValue(key, stored);
    if (typeof payload === 'string') throw new FormatError(`${this.options.file} is damaged: ${this.where(key)}: ${payload}`, { file: this.options.file });
    try {
      return this.options.codec.decode(payload) as V;
    } catch (err) {
      throw new FormatError(`${this.options.file} is damaged: ${this.where(key)} does not decode (${(err as Error).message})`, {
        file: this.options.file,
        cause: err,
      });
    }
  }

  private encode(key: K, value: V): Buffer {
    const payload = this.options.codec.encode(value);
    return this.isSealed(key) ? sealValue(key, payload) : Buffer.from(payload);
  }

  private isSealed(key: K): boolean {
    return this.options.sealed && !(typeof key === 'string' && this.options.plainKeys?.includes(key));
  }

  /**
   * Runs `fn` (writes to this database, inside the caller's transaction) with the digest kept in
   * memory, and stores it in meta once at the end instead of after every write.
   * @example root.transactionSync(() => actors.batchDigest(() => { for (const [k, v] of all) actors.put(k, v) }))
   */
  batchDigest<T>(fn: () => T): T {
    const digest = this.options.digest;
    if (!digest || this.batch) return fn();
    const batch = (this.batch = { sum: undefined as number | undefined });
    try {
      const out = fn();
      if (batch.sum !== undefined) digest.meta.put(digest.key, batch.sum);
      return out;
    } finally {
      this.batch = undefined;
    }
  }

  private batch: { sum: number | undefined } | undefined;

  /** Adjusts the digest kept in meta by the change this write makes, in the caller's transaction. */
  private track(key: K, next: Buffer | undefined): void {
    const digest = this.options.digest;
    if (!digest || !this.isSealed(key)) return;
    const previous = this.db.getBinaryFast(key);
    const delta = (next === undefined ? 0 : entryDigest(String(key), next)) - (previous === undefined ? 0 : entryDigest(String(key), previous));
    if (delta === 0) return;
    const batch = this.batch;
    if (batch) {
      batch.sum = ((batch.sum ?? (digest.meta.get(digest.key) as number | undefined) ?? 0) + delta) >>> 0;
      return;
    }
    const sum = (digest.meta.get(digest.key) as number | undefined) ?? 0;
    digest.meta.put(digest.key, (sum + delta) >>> 0);
  }

  private where(key: K): string {
    return `database ${this.options.name}, key ${JSON.stringify(key)}`;
  }
}
