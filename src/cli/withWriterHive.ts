/** @module withWriterHive: opens a data directory as its writer for one command (post, cancel), then closes it. */
import { pino } from 'pino';
import { createHive, type Hive } from '../createHive.js';

/**
 * Opens the hive on `dir` as its single writer in intake-only mode (the command's input is
 * journaled; no work is assigned or run, no timer fires, attempts left running by a program that
 * died stay for that program's next open), runs `fn`, closes the hive. When another process holds
 * the directory, fails with a LockedError naming that process.
 * @example await withWriterHive('./.hivestate', (hive) => hive.postTask({ type: 'build' }))
 */
export async function withWriterHive<T>(dir: string, fn: (hive: Hive) => Promise<T>): Promise<T> {
  const hive = await createHive({ dataDir: dir, logger: pino({ level: 'silent' }), intakeOnly: true });
  try {
    return await fn(hive);
  } finally {
    await hive.close();
  }
}
