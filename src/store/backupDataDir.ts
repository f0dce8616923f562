/**
 * @module backupDataDir: a consistent copy of a hive's data file while a hive may be running on it,
 * made by LMDB's own copy (one read transaction, so it is one committed state of the file). It takes
 * no hivestate lock; LMDB blocks writers only for the instant it reads its meta pages. The copy is
 * written beside the target, checked (page walk and open-time checks), synced, and only then given
 * the target's name, which must not exist.
 */
import { closeSync, existsSync, fsyncSync, linkSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreError, ValidationError } from '../errors.js';
import { openHiveFile } from './openHiveFile.js';

export interface BackupResult {
  file: string;
  bytes: number;
  /** The last input journaled in the copy (everything acknowledged before the copy began is in it). */
  lastSeq: number;
  /** Tasks stored in the copy as of its last checkpoint (later ones are in its journal). */
  storedTasks: number;
}

/**
 * Copies the hive in `dir` to the new file `file` (`compact` drops free pages: slower, smaller).
 * Restore by putting the file, named `hive.lmdb`, in an empty directory.
 * @example await backupDataDir('./.hivestate', './hive-2024-05-01.lmdb')
 */
export async function backupDataDir(dir: string, file: string, options: { compact?: boolean } = {}): Promise<BackupResult> {
  const source = join(dir, 'hive.lmdb');
  const target = resolve(file);
  if (!existsSync(source)) throw new StoreError(`no hive in ${dir} (no hive.lmdb there)`);
  if (existsSync(target)) throw new ValidationError('file', `${file} already exists; backup writes a new file and never replaces one`);
  if (!existsSync(dirname(target))) throw new ValidationError('file', `the directory of ${file} does not exist`);

  const { root } = openHiveFile(source, { readOnly: true });
  // A scratch directory beside the target: the copy is opened there as a hive (LMDB adds a lock
  // file next to it), and linked to the target's name only once it checks out.
  const scratch = mkdtempSync(join(dirname(target), `.${basename(target)}.`));
  try {
    const copy = join(scratch, 'hive.lmdb');
    try {
      await root.backup(copy, options.compact ?? false);
    } catch (err) {
      throw new StoreError(`backup of ${dir} to ${file} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      await root.close();
    }
    const fd = openSync(copy, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const checked = openHiveFile(copy, { readOnly: true, walk: true });
    let result: Omit<BackupResult, 'file' | 'bytes'>;
    try {
      let lastSeq = 0;
      for (const key of checked.dbs.journal.getKeys({ reverse: true, limit: 1 })) lastSeq = key as number;
      const counts = (checked.dbs.meta.get('taskCounts') as Record<string, number> | undefined) ?? {};
      result = { lastSeq, storedTasks: Object.values(counts).reduce((a, b) => a + b, 0) };
    } finally {
      await checked.root.close();
    }
    try {
      linkSync(copy, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ValidationError('file', `${file} already exists; backup writes a new file and never replaces one`);
      throw new StoreError(`backup of ${dir} to ${file} failed: ${(err as Error).message}`, { cause: err });
    }
    syncDirectory(dirname(target));
    return { file: target, bytes: statSync(target).size, ...result };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Makes a new name in `dir` durable (fsync of the directory). */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
