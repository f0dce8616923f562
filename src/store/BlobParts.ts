/**
 * @module BlobParts: compressed values kept as parts small enough to stay in LMDB's leaf pages. A
 * value over about 2 KB would take whole overflow pages of its own (a 5 KB blob takes 8 KB); parts
 * of at most `partBytes` pack tightly.
 */
import type { Key } from 'lmdb';
import type { SealedDatabase } from './SealedDatabase.js';

/** LMDB keeps a node in its leaf page up to about 2,000 bytes (half a 4 KiB page, less headers). */
export const partBytes = 1900;

/**
 * The parts of blobs, each under [...key, index] in one database.
 * @example const n = blobs.put(['c', 120], bytes); blobs.get(['c', 120], n)
 */
export class BlobParts {
  constructor(private readonly db: SealedDatabase<Uint8Array, Key[]>) {}

  /**
   * Writes `bytes` (inside a write transaction); returns how many parts it took. With `append`
   * (every key written is after every key stored) LMDB fills pages instead of splitting them in half.
   */
  put(key: Key[], bytes: Uint8Array, append = false): number {
    const n = Math.max(1, Math.ceil(bytes.length / partBytes));
    for (let i = 0; i < n; i++) {
      const part = bytes.subarray(i * partBytes, (i + 1) * partBytes);
      if (append) this.db.putSync([...key, i], part, { append: true });
      else this.db.put([...key, i], part);
    }
    return n;
  }

  /** The first element of the last key stored (the newest checkpoint that wrote blobs). */
  lastFirst(): Key | undefined {
    for (const key of this.db.getKeys({ reverse: true, limit: 1 })) return key[0];
    return undefined;
  }

  get(key: Key[], parts: number): Uint8Array {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < parts; i++) {
      const piece = this.db.get([...key, i]);
      if (!piece) throw new Error(`blob ${JSON.stringify(key)} is missing part ${i} of ${parts}`);
      pieces.push(piece);
    }
    return Buffer.concat(pieces);
  }

  remove(key: Key[], parts: number): void {
    for (let i = 0; i < parts; i++) this.db.remove([...key, i]);
  }
}
