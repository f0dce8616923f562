/** @module seekSizes: how many bytes a data directory's seek data and history index take. */
import type { Key, RootDatabase } from 'lmdb';
import type { HiveDatabases } from './openHiveDatabases.js';
import { pageBytes } from './pageBytes.js';
import type { SealedDatabase } from './SealedDatabase.js';

/**
 * Bytes in use (LMDB pages) by the seek entries, the history index (chunks and segments) and the
 * retired copies of pruned tasks. Blob parts are counted with what they belong to, in proportion
 * to their bytes. Needs the seek databases (`p.seek`).
 * @example seekSizes(root, databases).history
 */
export function seekSizes(root: RootDatabase, p: HiveDatabases): { seek: number; history: number; retired: number } {
  let entryBytes = 0;
  let otherBytes = 0;
  for (const { key, stored } of (p.seek!.blobs as SealedDatabase<Uint8Array, Key[]>).rawRange()) {
    if (key[1] === 'a') entryBytes += stored.length;
    else otherBytes += stored.length;
  }
  const share = entryBytes + otherBytes === 0 ? 0 : entryBytes / (entryBytes + otherBytes);
  const blobPages = pageBytes(root, 'blobs');
  return {
    seek: pageBytes(root, 'seek') + blobPages * share,
    history: pageBytes(root, 'chunks') + pageBytes(root, 'segments') + blobPages * (1 - share),
    retired: pageBytes(root, 'retired'),
  };
}
