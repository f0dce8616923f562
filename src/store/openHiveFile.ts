/**
 * @module openHiveFile: opens a hive's LMDB file with every check that can run before a page of it is
 * trusted, in order: the file is not empty and its meta pages are sound, (for the writer) every page
 * LMDB would follow is sound and inside the file, the named databases and format are right, and the
 * journal, indexes and actors agree with `meta`. Nothing is written to an existing hive before all pass.
 */
import { open, type RootDatabase } from 'lmdb';
import { checkDataFile, checkHiveConsistency } from './checkDataDir.js';
import { checkLmdbPages, type LmdbHeader } from './checkLmdbPages.js';
import { openHiveDatabases, type HiveDatabases } from './openHiveDatabases.js';
import { readError } from './SealedDatabase.js';
import { rawEntryDigest } from './sealValue.js';

/**
 * Opens (creating when absent and `readOnly` is false) the hive file `file`. The page walk runs for
 * the writer by default: a reader may share the file with a running hive, whose writes would move
 * pages under a walk (`walk: true` for a file no one writes, such as a fresh backup).
 * @example const { root, dbs } = openHiveFile(join(dir, 'hive.lmdb'), { readOnly: false })
 */
export function openHiveFile(file: string, o: { readOnly: boolean; walk?: boolean; sumActors?: boolean }): { root: RootDatabase; dbs: HiveDatabases } {
  checkDataFile(file);
  let root: RootDatabase;
  try {
    // No event-turn batching: with it lmdb-js starts each batch with an internal write whose promise
    // nobody can handle, so a failed commit became an unhandled rejection. Appends are single puts
    // and checkpoints one transaction, so nothing relies on event-turn grouping for atomicity.
    root = open({ path: file, maxDbs: 16, readOnly: o.readOnly, mapSize: 2 ** 34, eventTurnBatching: false });
  } catch (err) {
    throw readError(err, file, 'opening it');
  }
  try {
    const walked = !(o.walk ?? !o.readOnly) ? undefined : checkLmdbPages(file, root.getStats() as LmdbHeader, { databases: ['actors'], mix: rawEntryDigest });
    const dbs = openHiveDatabases(root, { file, readOnly: o.readOnly });
    checkHiveConsistency(dbs, file, walked && { actorsDigest: walked.digests.actors ?? 0 }, { sumActors: o.sumActors ?? true });
    return { root, dbs };
  } catch (err) {
    root.close().catch(() => undefined);
    throw err;
  }
}
