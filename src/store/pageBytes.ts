/** @module pageBytes: how much of the data file one LMDB database occupies, for reports. */
import type { RootDatabase } from 'lmdb';

/**
 * Bytes in the pages the named database uses (branch, leaf and overflow pages); 0 when it does not exist.
 * @example pageBytes(root, 'journal') / 2 ** 20 // MiB
 */
export function pageBytes(root: RootDatabase, name: string): number {
  // `create: false` is lmdb-js's (untyped) switch for opening without creating.
  const db = root.openDB({ name, encoding: 'binary', create: false } as { name: string; encoding: 'binary' });
  if (!db) return 0;
  const s = db.getStats() as { pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  return s.pageSize * (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages);
}
