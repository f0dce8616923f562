/**
 * @module wipeHiveDir: empties a hive data directory for `hivestate demo --fresh`, after checking
 * that it is one: only hivestate's own files may be there, and no process may hold it.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LockedError, ValidationError } from '../errors.js';
import { lockInfoFile, writerLockHolder } from '../store/writerLock.js';
import { demoClockFile } from './demoClock.js';

const hiveFiles = new Set(['hive.lmdb', 'hive.lmdb-lock', lockInfoFile, demoClockFile, `${demoClockFile}.tmp`]);
// Temporary files of an interrupted atomic write (the lock description, older lock files).
const isHiveFile = (name: string) => hiveFiles.has(name) || /^hive\.lock\.[\w.-]+$/.test(name);

/**
 * Deletes the hive files in `dir`; returns how many it deleted (0 when there was no directory).
 * Anything else in the directory, or a live writer, refuses the wipe and deletes nothing.
 * @example wipeHiveDir('./.hivestate') // 3
 */
export function wipeHiveDir(dir: string): number {
  if (!existsSync(dir)) return 0;
  if (!statSync(dir).isDirectory())
    throw new ValidationError('--data-dir', `${dir} is a file, not a hive data directory; --fresh deletes only hive directories`);
  const entries = readdirSync(dir);
  const foreign = entries.filter((name) => !isHiveFile(name));
  if (foreign.length > 0 || (entries.length > 0 && !entries.includes('hive.lmdb'))) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} in all)` : '');
    throw new ValidationError(
      '--data-dir',
      `${dir} does not look like a hive data directory${foreign.length ? ` (it holds ${shown})` : ''}; --fresh deletes only hive directories, so remove it yourself or pick another --data-dir`,
    );
  }
  const lock = writerLockHolder(dir);
  if (lock.held) throw new LockedError(dir, lock.holder);
  for (const name of entries) rmSync(join(dir, name), { force: true, recursive: false });
  return entries.length;
}
