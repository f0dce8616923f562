/** @module pageBytes: how much of the data file one LMDB database occupies, for reports. */
import type { Database } from 'lmdb';

/**
 * Bytes in the pages a database uses (branch, leaf and overflow pages); 0 for a missing database.
 * @example pageBytes(journal) / 2 ** 20 // MiB
 */
export function pageBytes(db: Database<unknown, never> | undefined): number {
  if (!db) return 0;
  const s = db.getStats() as { pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  return s.pageSize * (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages);
}
