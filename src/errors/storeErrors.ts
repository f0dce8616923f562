/** @module storeErrors: errors of the data directory, its store, its lock and its control socket. */
import { HiveError } from './HiveError.js';

/**
 * The data directory cannot be used: it is a file, a part of its path is a file, or this process
 * may not create or write it. The message says which.
 * @example try { await createHive({ dataDir: './notes.txt' }) } catch (e) { if (isHiveError(e, 'invalid_data_dir')) console.log(e.message) }
 */
export class DataDirError extends HiveError {
  readonly dataDir: string;
  constructor(dataDir: string, problem: string, options?: { cause?: unknown }) {
    super('invalid_data_dir', `dataDir ${JSON.stringify(dataDir)} ${problem}; dataDir must be a directory this process can create and write`, options);
    this.name = 'DataDirError';
    this.dataDir = dataDir;
  }
}

/** `createHive({ control: true })` could not open the local control socket; the message says why. */
export class ControlSocketError extends HiveError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('control_unavailable', `cannot open the control socket ${path}: ${reason}; open the hive without control: true, or free that path`, options);
    this.name = 'ControlSocketError';
    this.path = path;
  }
}

/**
 * The store refused a write or read; intake stops until the hive is reopened. `mayHaveBeenRecorded`
 * is true when the write reached the data file but was not confirmed durable (a failed sync): a
 * reopen on the same machine sees it, a power loss may undo it. False means nothing was recorded.
 */
export class StoreError extends HiveError {
  readonly mayHaveBeenRecorded: boolean;
  constructor(message: string, options?: { cause?: unknown; mayHaveBeenRecorded?: boolean }) {
    super('store_failure', message, options);
    this.name = 'StoreError';
    this.mayHaveBeenRecorded = options?.mayHaveBeenRecorded ?? false;
  }
}

/** This process no longer holds its data directory's writer lock; nothing more is written. */
export class LockLostError extends StoreError {
  readonly dataDir: string;
  constructor(dataDir: string, what: string) {
    super(`${what} refused: this process no longer holds the writer lock on ${dataDir}; nothing was recorded and intake stopped (reopen the hive)`);
    this.name = 'LockLostError';
    this.dataDir = dataDir;
  }
}

/** A data directory this hivestate cannot read safely: a newer format, or a damaged or truncated file (`file` names it). */
export class FormatError extends HiveError {
  readonly file: string | undefined;
  constructor(message: string, options?: { file?: string; cause?: unknown }) {
    super('unsupported_format', message, options);
    this.name = 'FormatError';
    this.file = options?.file;
  }
}

/** Who holds a data directory's writer lock, as its `hive.lock` file describes it. */
export interface LockHolder {
  pid: number;
  host?: string;
  since?: string;
}

/**
 * Another process is the writer of the data directory. `pid` is that process when known (from
 * `hive.lock`); `lockName` is the abstract socket it holds (`ss -xlp` lists its owner).
 */
export class LockedError extends HiveError {
  readonly pid: number | undefined;
  readonly dataDir: string;
  /** `hint` replaces the general advice when the caller knows better (the CLI: how to let it in). */
  constructor(dataDir: string, holder: LockHolder | undefined, lockName?: string, hint?: string) {
    const who = holder
      ? `process ${holder.pid}${holder.host ? ` on ${holder.host}` : ''}${holder.since ? ` (writer since ${holder.since})` : ''}`
      : `another process (hive.lock, which names it, is missing or stale${lockName ? `; \`ss -xlp | grep '${lockName}'\` shows it` : ''})`;
    super(
      'locked',
      `data directory ${dataDir} is in use by ${who}; ` +
        (hint ??
          'one hive may write a directory at a time. Close that hive or stop that process: its lock is released the moment it exits, even when killed, so there is no lock file to delete'),
    );
    this.name = 'LockedError';
    this.pid = holder?.pid;
    this.dataDir = dataDir;
  }
}
