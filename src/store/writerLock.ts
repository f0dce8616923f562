/**
 * @module writerLock: one writer per data directory. The lock is a Linux abstract Unix socket named
 * after the directory's device and inode: only one process can bind the name, the kernel frees it
 * when that process dies (kill -9 included), and there is no file anyone can delete to bypass it.
 * `hive.lock` only describes the holder (pid, host, start time) for error messages.
 */
import { type BigIntStats, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LockedError, LockLostError, StoreError, type LockHolder } from '../errors.js';

/** The lock holder's description, next to the data. */
export const lockInfoFile = 'hive.lock';

// sun_path is 108 bytes. A name that fills it is bound identically by every libuv: 1.46 (Node 20)
// pads shorter names with NULs to 108 bytes, 1.48+ (Node 22) binds the exact length, so a shorter
// name would give Node 20 and Node 22 processes two different locks on the same directory. The
// filler is not NUL: libuv 1.48+ refuses a NUL after the leading one.
const sunPathBytes = 108;

/** The bound address: a leading NUL (abstract namespace), the name, '.' up to 108 bytes. */
function address(name: string): string {
  return `\0${name}`.padEnd(sunPathBytes, '.');
}

/** A held writer lock. `assertHeld()` before each write; `release()` once, on close. */
export interface WriterLock {
  readonly dir: string;
  /** The abstract socket's name as `ss -xlp` prints it (without the leading '@' and the '.' padding). */
  readonly name: string;
  /** Throws LockLostError (nothing written) when the lock is no longer held. */
  assertHeld(what: string): void;
  /** Writes `hive.lock` again when someone deleted it, so LockedError can still name the holder. */
  restoreInfo(): void;
  release(): void;
}

/**
 * Takes the writer lock on `dir`, or throws LockedError naming the holder. Linux only.
 * @example const lock = acquireWriterLock('./.hivestate'); try { ... } finally { lock.release() }
 */
export function acquireWriterLock(dir: string): WriterLock {
  const name = writerLockName(dir);
  for (let attempt = 0; ; attempt++) {
    const server = createServer();
    // Listen errors arrive on the next tick; whether the bind worked is known at once from `listening`.
    server.on('error', () => undefined);
    // The name is the lock; nobody has anything to say over it.
    server.on('connection', (socket) => socket.destroy());
    server.listen({ path: address(name), exclusive: true });
    if (server.listening) {
      server.unref();
      return heldLock(dir, name, server);
    }
    server.close();
    if (isBound(name)) throw new LockedError(dir, liveHolder(dir), name);
    // Not bound by anyone: its holder was exiting just now. Try again, a few times.
    if (attempt >= 3)
      throw new StoreError(`cannot take the writer lock on ${dir}: binding the abstract Unix socket ${name} failed (hivestate's writer lock needs Linux)`);
  }
}

/**
 * Who holds the writer lock on `dir` right now, if anyone (`pid` from `hive.lock` when it names a live process).
 * @example const h = writerLockHolder('./.hivestate'); if (h.held) console.log(h.holder?.pid)
 */
export function writerLockHolder(dir: string): { held: boolean; holder?: LockHolder } {
  let name: string;
  try {
    name = writerLockName(dir);
  } catch {
    return { held: false };
  }
  if (!isBound(name)) return { held: false };
  const holder = liveHolder(dir);
  return holder ? { held: true, holder } : { held: true };
}

/** The lock's name: the directory's device and inode, so every path to it (symlink, bind mount, rename) names the same lock. */
export function writerLockName(dir: string): string {
  if (process.platform !== 'linux')
    throw new StoreError(`cannot lock ${dir}: hivestate's single-writer lock uses Linux abstract Unix sockets, and this is ${process.platform}`);
  let st: BigIntStats;
  try {
    st = statSync(dir, { bigint: true });
  } catch (err) {
    throw new StoreError(`cannot lock ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return `hivestate-writer-lock:dev=${st.dev}:ino=${st.ino}`;
}

function heldLock(dir: string, name: string, server: Server): WriterLock {
  let released = false;
  const infoPath = join(dir, lockInfoFile);
  const info = `${process.pid}\n${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString(), lock: name })}\n`;
  const writeInfo = () => {
    const tmp = `${infoPath}.${process.pid}.tmp`;
    writeFileSync(tmp, info);
    renameSync(tmp, infoPath);
  };
  try {
    writeInfo();
  } catch {
    // Only a description for error messages; a full disk must not stop the hive from opening.
  }
  return {
    dir,
    name,
    assertHeld(what) {
      if (released || !server.listening) throw new LockLostError(dir, what);
    },
    restoreInfo() {
      if (released || readInfo(dir)?.pid === process.pid) return;
      try {
        writeInfo();
      } catch {
        // as above
      }
    },
    release() {
      if (released) return;
      released = true;
      // The description goes first: once the socket closes another process may take the lock and write its own.
      if (readInfo(dir)?.pid === process.pid) rmSync(infoPath, { force: true });
      server.close();
    },
  };
}

/** The holder `hive.lock` names, when that process is alive (a stale file is ignored). */
function liveHolder(dir: string): LockHolder | undefined {
  const info = readInfo(dir);
  return info && isAlive(info.pid) ? info : undefined;
}

function readInfo(dir: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, lockInfoFile), 'utf8');
  } catch {
    return undefined;
  }
  const [first, second] = text.split('\n');
  const pid = Number.parseInt(first ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const more = JSON.parse(second ?? '') as { host?: unknown; since?: unknown };
    return { pid, ...(typeof more.host === 'string' ? { host: more.host } : {}), ...(typeof more.since === 'string' ? { since: more.since } : {}) };
  } catch {
    return { pid };
  }
}

/** Whether some process has the abstract socket bound (/proc/net/unix lists it, its leading NUL shown as '@'). */
function isBound(name: string): boolean {
  let table: string;
  try {
    table = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return true; // cannot tell: assume the bind failed because it is taken
  }
  const want = ` @${address(name).slice(1)}`;
  return table.split('\n').some((line) => line.endsWith(want));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
