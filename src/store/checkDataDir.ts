/**
 * @module checkDataDir: the checks a data directory passes before a hive uses it: the file is not
 * empty and its meta pages are sound (before LMDB reads them), and the journal, the checkpoint
 * marker, the task indexes and the stored actors agree with what `meta` recorded. A failed check is
 * a `FormatError` naming the file. (Pages past a truncated file's end are found by checkLmdbPages.)
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FormatError } from '../errors.js';
import type { HiveDatabases } from './openHiveDatabases.js';

/**
 * Before LMDB opens `file`: says whether there is a hive file, and refuses an empty one (LMDB would
 * quietly start a new hive in it).
 * @example if (checkDataFile(join(dir, 'hive.lmdb')).exists) { ... }
 */
export function checkDataFile(file: string): { exists: boolean } {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw err;
  }
  if (size === 0) {
    throw new FormatError(`${file} is empty (0 bytes): the hive file was truncated; restore it from a backup, or delete it to start an empty hive`, { file });
  }
  checkMetaPages(file, size);
  return { exists: true };
}

/** LMDB's meta page layout (lmdb-js 3.x): after a 24-byte page header, magic, version, and the page size at byte 48. */
const metaMagic = 0xbeefc0de;

/**
 * LMDB trusts its first two pages (the meta pages) when it opens a file; a damaged magic number or
 * page size there crashes the process inside LMDB, so they are read here first.
 */
function checkMetaPages(file: string, size: number): void {
  const fail = (what: string) => new FormatError(`${file} is damaged: ${what}; restore it from a backup`, { file });
  const head = Buffer.alloc(Math.min(size, 2 * 65536));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const meta = (at: number) =>
    at + 56 <= head.length
      ? { magic: head.readUInt32LE(at + 24), version: head.readUInt32LE(at + 28) & 0xffff, pageSize: head.readUInt32LE(at + 48) }
      : undefined;
  const first = meta(0);
  if (!first || first.magic !== metaMagic) throw fail('its first page is not an LMDB meta page (no magic number)');
  const { pageSize } = first;
  if (first.version !== 2) throw fail(`its first meta page names LMDB data version ${first.version}, not 2`);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw fail(`its first meta page names a page size of ${pageSize}`);
  if (size < 2 * pageSize) throw fail(`it is truncated: ${size} bytes, less than its two ${pageSize}-byte meta pages`);
  // The second meta page, and the copy lmdb-js keeps half a page in when it was written.
  for (const at of [pageSize, pageSize / 2]) {
    const m = meta(at)!;
    if (at === pageSize && (m.magic !== metaMagic || m.version !== 2)) throw fail(`its second meta page (byte ${at}) is damaged`);
    if (m.magic === metaMagic && m.pageSize !== pageSize) throw fail(`its meta pages disagree on the page size (${pageSize} and ${m.pageSize})`);
  }
}

interface Checkpoint {
  seq: number;
  at: number;
}

/**
 * The journal starts where `meta.journalStart` says and still holds the last record the checkpoint
 * saw (`meta.journalCovered`); the task indexes hold as many tasks as `meta.taskCounts`; and
 * (format 2) the stored actors sum to the digest the last checkpoint recorded, so a lost, stale or
 * renamed actor is seen.
 * Reads only: nothing is written before these pass. `walked` is what `checkLmdbPages` summed, if it ran.
 * @example checkHiveConsistency(dbs, file)
 */
export function checkHiveConsistency(dbs: HiveDatabases, file: string, walked?: { actorsDigest: number }, o: { sumActors?: boolean } = {}): void {
  const fail = (what: string) =>
    new FormatError(`${file} is damaged: ${what}; run \`hivestate doctor\` on the directory, and restore it from a backup`, { file });
  const { meta, journal, actors, byOrder, byStatus } = dbs;

  const cp = meta.get('checkpoint') as Checkpoint | undefined;
  if (cp !== undefined && !(isCount(cp?.seq) && typeof cp?.at === 'number'))
    throw fail(`the checkpoint marker in meta is not {seq, at}: ${JSON.stringify(cp)}`);
  const kept = meta.get('journalStart');
  if (kept !== undefined && !(isCount(kept) && kept >= 1)) throw fail(`meta.journalStart is not a positive integer: ${JSON.stringify(kept)}`);
  const journalStart = (kept as number | undefined) ?? 1;

  // Seqs have gaps (an append that failed took a seq and wrote nothing), so the journal is checked
  // against what the last checkpoint saw in it, not for consecutive seqs.
  const records = journal.entryCount();
  let first: number | undefined;
  let last: number | undefined;
  for (const key of journal.getKeys({ limit: 1 })) first = key as number;
  for (const key of journal.getKeys({ reverse: true, limit: 1 })) last = key as number;
  if (records > 0) {
    if (first === undefined || last === undefined) throw fail(`LMDB counts ${records} journal records but none can be read`);
    if (first < journalStart) throw fail(`the journal starts at input ${first} but meta says records before ${journalStart} were compacted away`);
    if (last - first + 1 < records) throw fail(`the journal runs from input ${first} to ${last} but LMDB counts ${records} records`);
  } else if (first !== undefined) {
    throw fail(`LMDB counts no journal records but input ${first} is there`);
  }
  if (cp !== undefined) {
    if (journalStart > cp.seq + 1)
      throw fail(`meta says the journal starts at input ${journalStart}, past the checkpoint at ${cp.seq}: compaction never removes uncovered records`);
    const covered = meta.get(journalCoveredKey);
    if (covered === undefined ? dbs.format >= 2 : !(isCount(covered) && covered <= cp.seq))
      throw fail(`meta.${journalCoveredKey} is ${JSON.stringify(covered)}, not the last input the checkpoint saw journaled`);
    if (isCount(covered) && covered >= journalStart && covered > 0) {
      let found: number | undefined;
      for (const key of journal.getKeys({ start: covered, limit: 1 })) found = key as number;
      if (found !== covered) {
        throw fail(
          records === 0
            ? `the journal is empty but the checkpoint at input ${cp.seq} saw inputs up to ${covered} journaled`
            : `the journal lacks input ${covered}, which the checkpoint at input ${cp.seq} saw journaled`,
        );
      }
    }
  } else {
    if (journalStart !== 1) throw fail(`meta says the journal was compacted up to input ${journalStart - 1} but there is no checkpoint marker`);
    if (actors.entryCount() > 0) throw fail(`there are ${actors.entryCount()} stored actors but no checkpoint marker`);
  }

  const counts = meta.get('taskCounts') as Record<string, number> | undefined;
  if (counts !== undefined) {
    if (typeof counts !== 'object' || counts === null || !Object.values(counts).every(isCount))
      throw fail(`meta.taskCounts is not a map of counts: ${JSON.stringify(counts)}`);
    const tasks = Object.values(counts).reduce((a, b) => a + b, 0);
    if (byOrder.entryCount() !== tasks) throw fail(`meta counts ${tasks} stored tasks but the byOrder index holds ${byOrder.entryCount()}`);
    if (byStatus.entryCount() !== tasks) throw fail(`meta counts ${tasks} stored tasks but the byStatus index holds ${byStatus.entryCount()}`);
  } else if (byOrder.entryCount() > 0 && dbs.format >= 2) {
    throw fail(`the byOrder index holds ${byOrder.entryCount()} tasks but meta has no task counts`);
  }

  // A reader that reads few actors may skip summing them all (each value is still checked when read).
  if (dbs.format >= 2 && (o.sumActors ?? true)) {
    const expected = (meta.get(actorsDigestKey) as number | undefined) ?? 0;
    // A walk of the file's pages already summed them (and checked every tree's entry count).
    let sum = walked?.actorsDigest;
    if (sum === undefined) {
      const read = actorsDigest(dbs);
      if (read.count !== actors.entryCount()) throw fail(`LMDB counts ${actors.entryCount()} stored actors but ${read.count} can be read`);
      sum = read.sum;
    }
    if (sum !== expected)
      throw fail(
        `the stored actors do not match the last checkpoint (digest ${sum.toString(16)}, expected ${expected.toString(16)}): an actor was lost, renamed or rolled back`,
      );
  }
}

/** Where meta keeps the sum of the actors' checksums. */
export const actorsDigestKey = 'actorsDigest';

/** Where meta keeps the last journal record a checkpoint saw (at or before its seq). */
export const journalCoveredKey = 'journalCovered';

/**
 * The last journal record at or before `seq` (0 when none): what a checkpoint records under
 * `journalCovered`, so an open can tell a journal that lost records from one with gaps that failed
 * appends left.
 * @example meta.put(journalCoveredKey, lastJournaled(journal, w.seq))
 */
export function lastJournaled(journal: HiveDatabases['journal'], seq: number): number {
  for (const key of journal.getKeys({ start: seq, reverse: true, limit: 1 })) return key as number;
  return 0;
}

/**
 * The number of stored actors and the sum of their checksums, read without decoding them.
 * @example const { count, sum } = actorsDigest(dbs)
 */
export function actorsDigest(dbs: Pick<HiveDatabases, 'actors'>): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  for (const { key, stored } of dbs.actors.rawRange()) {
    count++;
    sum = (sum + dbs.actors.digestOf(key, stored)) >>> 0;
  }
  return { count, sum };
}

function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}
