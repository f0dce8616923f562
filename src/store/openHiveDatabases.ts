/**
 * @module openHiveDatabases: opens the named databases of a hive file and settles its format. A new
 * file gets every database and the format marker; an existing hive never has a database created in
 * it: one that is missing (or renamed by damage) is a `FormatError`. The one exception is the
 * upgrades: a writer adds the seek databases to a format 2 hive (`addSeekDatabases`, making it
 * format 3) and the audit database to an older one (`addAuditDatabase`, making a format 3 hive
 * format 4), each after every check of the file passed. A format 1 hive keeps its format (replay
 * builds seek points).
 */
import type { Database, Key, RootDatabase } from 'lmdb';
import { FormatError } from '../errors.js';
import type { JournalRecord } from '../kernel/inputs.js';
import { actorsDigestKey } from './checkDataDir.js';
import type { TriggerKeyRecord } from '../kernel/TriggerKeys.js';
import type { AuditRecord } from '../kernel/audit/AuditLog.js';
import type { StoredActor, StoredTimer } from './HiveStore.js';
import { readError, SealedDatabase, type Codec } from './SealedDatabase.js';

/**
 * Version of the on-disk layout. 4 adds the audit log (`audit`); 3 adds the seek data and history index (`seekDatabaseNames`); 2
 * seals every value with a checksum and keeps a digest of the stored actors in meta; 1 (read, never
 * written) had neither. A newer version is refused.
 */
export const formatVersion = 4;

/** Every named database of a hive, in the order they are created. */
export const databaseNames = ['meta', 'journal', 'actors', 'live', 'timers', 'byStatus', 'byOrder', 'idempotency', 'triggerKeys', 'audit'] as const;
/** Databases a format-1 hive (hivestate 0.1) does not have: a writer adds them on open, a reader does without. */
const addedInFormat2 = ['triggerKeys'];
/** Databases a hive before format 4 does not have: a writer adds them once every check passed (`addAuditDatabase`), a reader does without. */
const addedInFormat4 = ['audit'];

/** The databases format 3 adds: seek data and the history index (see SeekDb). */
export const seekDatabaseNames = ['seek', 'chunks', 'segments', 'retired', 'blobs'] as const;

/** The seek databases, opened like the others (values sealed). */
export type SeekDatabases = Record<(typeof seekDatabaseNames)[number], SealedDatabase<unknown, Key>>;

export interface HiveDatabases {
  format: number;
  meta: SealedDatabase<unknown, string>;
  journal: SealedDatabase<JournalRecord, number>;
  actors: SealedDatabase<StoredActor, string>;
  live: SealedDatabase<true, string>;
  timers: SealedDatabase<StoredTimer, string>;
  byStatus: SealedDatabase<string, [string, number]>;
  byOrder: SealedDatabase<string, number>;
  idempotency: SealedDatabase<string, string>;
  /** Undefined only for a format-1 hive opened read-only. */
  triggerKeys: SealedDatabase<TriggerKeyRecord, string> | undefined;
  /** Coordination decisions, key [seq, index]. Undefined for a hive written before format 4 (until a writer calls `addAuditDatabase`). */
  audit: SealedDatabase<AuditRecord, [number, number]> | undefined;
  /** Undefined for a hive written before format 3 (until a writer calls `addSeekDatabases`). */
  seek: SeekDatabases | undefined;
  /** For a writer of a format 2 hive: creates the seek databases and marks the file format 3. */
  addSeekDatabases?: () => SeekDatabases;
  /** For a writer of a hive before format 4: creates the audit database (when missing) and marks a format 3 file format 4 (call after `addSeekDatabases`). */
  addAuditDatabase?: () => SealedDatabase<AuditRecord, [number, number]>;
}

/**
 * Opens the databases of the hive file `file` (opened as `root`); creates them only when the file
 * holds no hive yet and `readOnly` is false.
 * @example const dbs = openHiveDatabases(root, { file, readOnly: false })
 */
export function openHiveDatabases(root: RootDatabase, o: { file: string; readOnly: boolean }): HiveDatabases {
  const { file } = o;
  const codec = (root as unknown as { encoder?: Codec }).encoder;
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function')
    throw new FormatError(`${file}: lmdb-js gave no msgpack encoder for the root database`, { file });

  let present: string[];
  try {
    present = [...root.getKeys()].map(String);
  } catch (err) {
    throw readError(err, file, 'listing its databases');
  }
  const known: readonly string[] = [...databaseNames, ...seekDatabaseNames];
  const strangers = present.filter((n) => !known.includes(n));
  if (strangers.length > 0) {
    const missing = databaseNames.filter((n) => !present.includes(n));
    throw new FormatError(
      `${file} is damaged: it holds databases hivestate never creates (${strangers.map((s) => JSON.stringify(s)).join(', ')})${missing.length > 0 ? ` and lacks ${missing.join(', ')}` : ''}; a damaged name loses that database, so the hive is not opened`,
      { file },
    );
  }

  const binary = (name: string, create: boolean): Database<Buffer, Key> | undefined => {
    try {
      // `create: false` is lmdb-js's (untyped) switch for opening without creating: a missing one comes back undefined.
      const options = { name, encoding: 'binary' as const, create };
      return root.openDB<Buffer, Key>(options);
    } catch (err) {
      throw readError(err, file, `opening database ${name}`);
    }
  };
  const rawMeta = present.includes('meta') ? binary('meta', false) : undefined;
  const marker = rawMeta === undefined ? undefined : readMarker(rawMeta, codec, file);
  if (marker !== undefined && marker > formatVersion) {
    throw new FormatError(`${file} was written with format ${marker}; this hivestate reads format ${formatVersion} or older`, { file });
  }
  if (marker === undefined) {
    // No marker: a new file, or one whose creation was cut short. Either way every database in it
    // must be empty; anything else is a hive whose marker was lost.
    for (const name of present) {
      const db = binary(name, false);
      if (db && entryCount(db, file) > 0) {
        throw new FormatError(`${file} is damaged: database ${name} holds data but there is no format marker; refusing to open it`, { file });
      }
    }
    if (o.readOnly) throw new FormatError(`${file} holds no hive yet (no format marker)`, { file });
  } else {
    // Before format 3 a hive has no seek databases; from it on, all of them.
    const required = marker >= 3 ? known : databaseNames;
    const missing = required.filter((n) => !present.includes(n) && !(marker < 2 && addedInFormat2.includes(n)) && !(marker < 4 && addedInFormat4.includes(n)));
    const seekPresent = seekDatabaseNames.filter((n) => present.includes(n));
    if (marker < 3 && seekPresent.length > 0) missing.push(...seekDatabaseNames.filter((n) => !present.includes(n)));
    if (missing.length > 0) {
      throw new FormatError(
        `${file} is damaged: database${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing; a hive is never opened without them`,
        { file },
      );
    }
  }
  const format = marker ?? formatVersion;
  const create = marker === undefined;
  const sealed = format >= 2;
  const open = <V, K extends Key>(name: string, extra: Partial<ConstructorParameters<typeof SealedDatabase>[1]> = {}) => {
    const db = binary(name, create);
    if (!db) throw new FormatError(`${file} is damaged: database ${name} cannot be opened`, { file });
    return new SealedDatabase<V, K>(db as Database<Buffer, K>, { name, file, sealed, codec, ...extra });
  };
  const meta = open<unknown, string>('meta', { plainKeys: ['format'] });
  const openSeek = (): SeekDatabases => Object.fromEntries(seekDatabaseNames.map((name) => [name, open(name)])) as SeekDatabases;
  const hasSeek = create || seekDatabaseNames.every((n) => present.includes(n));
  const dbs: HiveDatabases = {
    format,
    meta,
    journal: open('journal'),
    actors: open('actors', { digest: { meta, key: actorsDigestKey } }),
    live: open('live'),
    timers: open('timers'),
    byStatus: open('byStatus'),
    byOrder: open('byOrder'),
    idempotency: open('idempotency'),
    triggerKeys:
      present.includes('triggerKeys') || create
        ? open('triggerKeys')
        : o.readOnly
          ? undefined
          : new SealedDatabase<TriggerKeyRecord, string>(binary('triggerKeys', true) as Database<Buffer, string>, { name: 'triggerKeys', file, sealed, codec }),
    audit: present.includes('audit') || create ? open('audit') : undefined,
    seek: undefined,
  };
  if (hasSeek) dbs.seek = openSeek();
  else if (!o.readOnly && format === 2) {
    dbs.addSeekDatabases = () => {
      const seek = seekDatabaseNames.map((name) => {
        const db = binary(name, true);
        if (!db) throw new FormatError(`${file}: database ${name} cannot be created`, { file });
        return [name, new SealedDatabase(db, { name, file, sealed, codec })] as const;
      });
      meta.putSync('format', 3);
      dbs.format = 3;
      return (dbs.seek = Object.fromEntries(seek) as SeekDatabases);
    };
  }
  if (format < 4 && !o.readOnly) {
    dbs.addAuditDatabase = () => {
      if (!dbs.audit) {
        const db = binary('audit', true);
        if (!db) throw new FormatError(`${file}: database audit cannot be created`, { file });
        dbs.audit = new SealedDatabase(db as Database<Buffer, [number, number]>, { name: 'audit', file, sealed, codec });
      }
      if (dbs.format === 3) {
        meta.putSync('format', 4);
        dbs.format = 4;
      }
      return dbs.audit;
    };
  }
  if (create) meta.putSync('format', formatVersion);
  return dbs;
}

/** The format marker in meta, kept as plain msgpack in every format so any version can read it. */
function readMarker(meta: Database<Buffer, Key>, codec: Codec, file: string): number | undefined {
  let raw: Buffer | undefined;
  try {
    raw = meta.getBinary('format');
  } catch (err) {
    throw readError(err, file, 'reading the format marker');
  }
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = codec.decode(raw);
  } catch {
    value = undefined;
  }
  if (Number.isSafeInteger(value) && (value as number) >= 1) return value as number;
  throw new FormatError(`${file} is damaged: its format marker does not read as a format version`, { file });
}

function entryCount(db: Database<Buffer, Key>, file: string): number {
  try {
    return (db.getStats() as { entryCount: number }).entryCount;
  } catch (err) {
    throw readError(err, file, 'reading database statistics');
  }
}
