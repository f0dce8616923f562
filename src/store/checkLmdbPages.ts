/**
 * @module checkLmdbPages: walks every page of an LMDB file that LMDB would read, with plain file
 * reads, and checks that each node and each page reference stays inside the file. LMDB trusts these
 * sizes and offsets: one damaged byte in them makes it read past the file's end and the process
 * dies (SIGBUS/SIGSEGV), where this walk gives a `FormatError` instead. It also checks each tree's
 * page and entry counts against the ones LMDB keeps, and that no page in use is listed as free.
 * Layout: lmdb-js 3.x (LMDB 0.9 with lmdb-js's changes): 24-byte page headers, 64-bit page numbers.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FormatError } from '../errors.js';

const headerSize = 24;
const magic = 0xbeefc0de;
const dataVersion = 2;
const invalidPage = 2n ** 64n - 1n;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const dbRecordSize = 48;

/** What LMDB itself says about the file (its `getStats()`), to confirm the walk reads the same header. */
export interface LmdbHeader {
  lastPageNumber: number;
  lastTxnId: number;
  pageSize: number;
}

/** Per tree: what it holds, as counted by the walk. */
export interface TreeSummary {
  name: string;
  entries: number;
  pages: number;
}

interface DbRecord {
  flags: number;
  depth: number;
  branchPages: number;
  leafPages: number;
  overflowPages: number;
  entries: number;
  root: bigint;
}

/**
 * Sums `mix(bytes, keyStart, keyEnd, valueHead)` over the entries of the named databases (digests
 * kept in meta): the key is `bytes[keyStart..keyEnd)`, `valueHead` the value's first 4 bytes (LE).
 */
export interface DigestOptions {
  databases: readonly string[];
  mix: (bytes: Buffer, keyStart: number, keyEnd: number, valueHead: number) => number;
}

export interface WalkResult {
  trees: TreeSummary[];
  /** The sums asked for in `DigestOptions`, by database name. */
  digests: Record<string, number>;
}

/**
 * Checks the structure of LMDB file `file` (opened by LMDB, which reported `header`, and not being
 * written by anyone). Throws `FormatError` naming the page and what is wrong.
 * @example checkLmdbPages(file, root.getStats() as LmdbHeader)
 */
export function checkLmdbPages(file: string, header: LmdbHeader, digests?: DigestOptions): WalkResult {
  const fd = openSync(file, 'r');
  try {
    return new Walk(file, fd, header, digests).run();
  } finally {
    closeSync(fd);
  }
}

/** One B-tree being walked: what it must hold and what the walk has counted so far. */
interface Tree {
  name: string;
  record: DbRecord;
  ordered: boolean;
  onEntry: ((key: Buffer, flags: number, data: Buffer) => void) | undefined;
  /** Sums the digest of every entry, when asked for (see DigestOptions). */
  digest: { mix: DigestOptions['mix']; sum: number } | undefined;
  counted: { branch: number; leaf: number; overflow: number; entries: number };
}

/** A page still to check: its tree, level and the key range its parent's separators give it. */
interface Pending {
  tree: Tree;
  level: number;
  lo: Buffer | undefined;
  hi: Buffer | undefined;
}

class Walk {
  private readonly psize: number;
  private readonly pages: number;
  private readonly used = new Set<number>();
  /** One buffer for every run of pages: each run is checked before the next is read. */
  private readonly runBuffer: Buffer;
  private readonly fileSize: number;

  constructor(
    private readonly file: string,
    private readonly fd: number,
    private readonly header: LmdbHeader,
    private readonly digestOf: DigestOptions | undefined,
  ) {
    this.psize = header.pageSize;
    this.pages = header.lastPageNumber + 1;
    this.runBuffer = Buffer.allocUnsafe(maxRun * this.psize);
    // LMDB may count free pages past the file's end (never written); pages in use must be inside it.
    this.fileSize = fstatSync(fd).size;
  }

  run(): WalkResult {
    const meta = this.pickMeta();
    const named: Array<{ name: string; record: DbRecord }> = [];
    const main = this.tree('the main database', meta.main, true, (key, flags, data) => {
      const name = key.toString('utf8').replace(/\0$/, '');
      if (!(flags & F_SUBDATA)) throw this.fail(`the main database holds ${JSON.stringify(name)}, which is not a database`);
      named.push({ name, record: readDbRecord(data, 0) });
    });
    this.walk([main]);
    const trees = named.map(({ name, record }) => {
      const tree = this.tree(`database ${name}`, record, true);
      if (this.digestOf?.databases.includes(name)) tree.digest = { mix: this.digestOf.mix, sum: 0 };
      return tree;
    });
    this.walk(trees);
    const digests: Record<string, number> = {};
    for (const [i, t] of trees.entries()) if (t.digest) digests[named[i]!.name] = t.digest.sum;
    const free: Array<{ first: number; count: number }> = [];
    // Free-list keys are transaction ids compared as integers, not bytes: their order is not checked.
    this.walk([this.tree('the free-page list', meta.free, false, (_key, _flags, data) => free.push(...this.freeRuns(data)))]);
    for (const { first, count } of free) {
      for (let pgno = first; pgno < first + count; pgno++) {
        if (this.used.has(pgno)) throw this.fail(`page ${pgno} is in use and also listed as free: the next write would overwrite it`);
      }
    }
    return {
      trees: [main, ...trees].map((t) => ({ name: t.name, entries: t.counted.entries, pages: t.counted.branch + t.counted.leaf + t.counted.overflow })),
      digests,
    };
  }

  /** The meta page LMDB reads (the newer of pages 0 and 1), checked against what LMDB reported. */
  private pickMeta(): { main: DbRecord; free: DbRecord } {
    const metas = [0, 1].map((pgno) => {
      const p = this.readBytes(pgno * this.psize, this.psize);
      if (p.readUInt32LE(headerSize) !== magic) throw this.fail(`meta page ${pgno} does not carry LMDB's magic number`);
      if ((p.readUInt32LE(headerSize + 4) & 0xffff) !== dataVersion) throw this.fail(`meta page ${pgno} has an unknown LMDB version`);
      const at = headerSize + 24 + 2 * dbRecordSize;
      return {
        free: readDbRecord(p, headerSize + 24),
        main: readDbRecord(p, headerSize + 24 + dbRecordSize),
        lastPage: Number(p.readBigUInt64LE(at)),
        txnid: Number(p.readBigUInt64LE(at + 8)),
      };
    });
    const chosen = metas[0]!.txnid >= metas[1]!.txnid ? metas[0]! : metas[1]!;
    if (chosen.txnid !== this.header.lastTxnId || chosen.lastPage !== this.header.lastPageNumber) {
      throw this.fail(
        `its meta pages (transactions ${metas[0]!.txnid} and ${metas[1]!.txnid}) do not match what LMDB read (transaction ${this.header.lastTxnId})`,
      );
    }
    return chosen;
  }

  private tree(name: string, record: DbRecord, ordered: boolean, onEntry?: Tree['onEntry']): Tree {
    return { name, record, ordered, onEntry, digest: undefined, counted: { branch: 0, leaf: 0, overflow: 0, entries: 0 } };
  }

  /**
   * Walks `trees` level by level, each level's pages read in file order (neighbouring pages in one
   * read), so the leaves, which are most of the file, are read front to back once. Then compares
   * each tree's counts with the ones LMDB records.
   */
  private walk(trees: Tree[]): void {
    let level = new Map<number, Pending>();
    for (const tree of trees) {
      if (tree.record.root === invalidPage) continue;
      const root = Number(tree.record.root);
      this.claim(root, tree.name);
      level.set(root, { tree, level: 1, lo: undefined, hi: undefined });
    }
    while (level.size > 0) {
      const next = new Map<number, Pending>();
      const order = [...level.keys()].sort((a, b) => a - b);
      for (let i = 0; i < order.length; ) {
        let n = 1;
        while (i + n < order.length && n < maxRun && order[i + n] === order[i]! + n) n++;
        const run = this.readInto(this.runBuffer, order[i]! * this.psize, n * this.psize);
        for (let k = 0; k < n; k++) this.page(run.subarray(k * this.psize, (k + 1) * this.psize), order[i + k]!, level.get(order[i + k]!)!, next);
        i += n;
      }
      level = next;
    }
    for (const { name, record, counted } of trees) {
      const expected = { branch: record.branchPages, leaf: record.leafPages, overflow: record.overflowPages, entries: record.entries };
      for (const k of ['branch', 'leaf', 'overflow', 'entries'] as const) {
        if (counted[k] !== expected[k]) {
          throw this.fail(
            `${name} has ${counted[k]} ${k === 'entries' ? 'entries' : `${k} pages`} but LMDB records ${expected[k]}: entries were lost or the tree was cut`,
          );
        }
      }
    }
  }

  /** Checks one page; queues a branch's children (with their key ranges) on `next`. */
  private page(p: Buffer, pgno: number, at: Pending, next: Map<number, Pending>): void {
    const { tree } = at;
    const where = `page ${pgno} (${tree.name})`;
    const stored = p.readUInt32LE(0) + p.readUInt32LE(4) * 0x100000000;
    if (stored !== pgno) throw this.fail(`${where} says it is page ${stored}`);
    const flags = p.readUInt16LE(18);
    const type = flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META);
    const isBranch = type === P_BRANCH;
    if (!isBranch && type !== P_LEAF) throw this.fail(`${where} is neither a branch nor a leaf (flags ${flags.toString(16)})`);
    if (isBranch === (at.level === tree.record.depth) || at.level > tree.record.depth)
      throw this.fail(`${where} is a ${isBranch ? 'branch' : 'leaf'} at level ${at.level} of a tree LMDB records as ${tree.record.depth} deep`);
    if (isBranch) tree.counted.branch++;
    else tree.counted.leaf++;
    const lower = u16(p, 20);
    const upper = u16(p, 22);
    if (lower % 2 !== 0 || lower > upper || upper > this.psize - headerSize) throw this.fail(`${where} has a bad node table (lower ${lower}, upper ${upper})`);
    const count = lower / 2;
    if (count === 0) throw this.fail(`${where} is empty`);
    let previousStart = -1;
    let previousEnd = -1;
    // Each child is queued once the next separator (its upper bound) is known.
    let childKey: Buffer | undefined;
    let child = -1;
    for (let i = 0; i < count; i++) {
      const ptr = u16(p, headerSize + 2 * i);
      const node = headerSize + ptr;
      if (ptr < upper || node + 8 > this.psize) throw this.fail(`node ${i} of ${where} lies outside the page`);
      const lo = u16(p, node);
      const hi = u16(p, node + 2);
      const nodeFlags = u16(p, node + 4);
      const keyStart = node + 8;
      const keyEnd = keyStart + u16(p, node + 6);
      if (keyEnd > this.psize) throw this.fail(`the key of node ${i} of ${where} runs past the page`);
      // A branch's first key is never compared by LMDB (it stands for "everything below").
      if (tree.ordered && (!isBranch || i > 0)) {
        if (previousStart >= 0 && compareKeys(p, keyStart, keyEnd, p, previousStart, previousEnd) <= 0)
          throw this.fail(`the keys of ${where} are out of order at node ${i}`);
        if (
          (at.lo && compareKeys(p, keyStart, keyEnd, at.lo, 0, at.lo.length) < 0) ||
          (at.hi && compareKeys(p, keyStart, keyEnd, at.hi, 0, at.hi.length) >= 0)
        ) {
          throw this.fail(`node ${i} of ${where} holds a key outside the range its parent page gives it (a damaged key or separator)`);
        }
        previousStart = keyStart;
        previousEnd = keyEnd;
      }
      if (isBranch) {
        const key = i === 0 ? undefined : Buffer.from(p.subarray(keyStart, keyEnd));
        if (child >= 0) this.queue(next, child, { tree, level: at.level + 1, lo: childKey ?? at.lo, hi: key });
        child = lo + hi * 0x10000 + nodeFlags * 0x100000000;
        childKey = key;
        continue;
      }
      tree.counted.entries++;
      if (nodeFlags & ~(F_BIGDATA | F_SUBDATA)) throw this.fail(`node ${i} of ${where} has unknown flags ${nodeFlags.toString(16)}`);
      const size = lo + hi * 0x10000;
      if (nodeFlags & F_BIGDATA) {
        if (keyEnd + 8 > this.psize) throw this.fail(`node ${i} of ${where} runs past the page`);
        const first = Number(p.readBigUInt64LE(keyEnd));
        tree.counted.overflow += this.overflow(first, size, tree.name);
        if (tree.onEntry) tree.onEntry(p.subarray(keyStart, keyEnd), nodeFlags, this.readBytes(first * this.psize + headerSize, size));
        if (tree.digest)
          tree.digest.sum =
            (tree.digest.sum + tree.digest.mix(p, keyStart, keyEnd, size < 4 ? 0 : this.readBytes(first * this.psize + headerSize, 4).readUInt32LE(0))) >>> 0;
      } else {
        if (keyEnd + size > this.psize) throw this.fail(`the value of node ${i} of ${where} runs past the page (${size} bytes)`);
        if (nodeFlags & F_SUBDATA && size !== dbRecordSize) throw this.fail(`database record ${i} of ${where} has ${size} bytes, not ${dbRecordSize}`);
        if (tree.onEntry) tree.onEntry(p.subarray(keyStart, keyEnd), nodeFlags, p.subarray(keyEnd, keyEnd + size));
        if (tree.digest) tree.digest.sum = (tree.digest.sum + tree.digest.mix(p, keyStart, keyEnd, size < 4 ? 0 : u32(p, keyEnd))) >>> 0;
      }
    }
    if (child >= 0) this.queue(next, child, { tree, level: at.level + 1, lo: childKey ?? at.lo, hi: at.hi });
  }

  private queue(next: Map<number, Pending>, pgno: number, pending: Pending): void {
    this.claim(pgno, pending.tree.name);
    next.set(pgno, pending);
  }

  /**
   * The page runs of one free-list record: a count, then entries that are a page number, a
   * (negative length, first page) pair for a run, or 0 for an empty slot.
   */
  private freeRuns(data: Buffer): Array<{ first: number; count: number }> {
    const fail = (what: string) => this.fail(`a record of the free-page list ${what}`);
    if (data.length < 8 || data.length % 8 !== 0) throw fail(`has ${data.length} bytes, not a whole number of page numbers`);
    const n = Number(data.readBigInt64LE(0));
    if (n < 0 || (n + 1) * 8 > data.length) throw fail(`counts ${n} entries in ${data.length / 8 - 1} slots`);
    const runs: Array<{ first: number; count: number }> = [];
    for (let i = 1; i <= n; i++) {
      const entry = Number(data.readBigInt64LE(i * 8));
      if (entry === 0) continue;
      let first = entry;
      let count = 1;
      if (entry < 0) {
        if (++i > n) throw fail('ends inside a run');
        count = -entry;
        first = Number(data.readBigInt64LE(i * 8));
      }
      if (!(first >= 2 && count <= this.pages && first + count <= this.pages))
        throw fail(`names pages ${first} to ${first + count - 1}, outside pages 2 to ${this.pages - 1}`);
      runs.push({ first, count });
    }
    return runs;
  }

  /** Checks an overflow run of `size` bytes at `pgno`; returns its page count. */
  private overflow(pgno: number, size: number, name: string): number {
    const needed = Math.floor((headerSize - 1 + size) / this.psize) + 1;
    if (!Number.isSafeInteger(pgno) || pgno < 2 || pgno + needed > this.pages)
      throw this.fail(`an overflow value of ${name} at page ${pgno} runs past the file`);
    const p = this.readBytes(pgno * this.psize, headerSize);
    if ((p.readUInt16LE(18) & P_OVERFLOW) === 0) throw this.fail(`page ${pgno} of ${name} should start an overflow run but does not`);
    const count = p.readUInt32LE(20);
    if (count !== needed) throw this.fail(`the overflow run at page ${pgno} of ${name} has ${count} pages, but its ${size}-byte value needs ${needed}`);
    for (let i = 0; i < count; i++) this.claim(pgno + i, name);
    return count;
  }

  private claim(pgno: number, name: string): void {
    if (!Number.isSafeInteger(pgno) || pgno < 2 || pgno >= this.pages) throw this.fail(`${name} refers to page ${pgno}, outside pages 2 to ${this.pages - 1}`);
    if (this.used.has(pgno)) throw this.fail(`page ${pgno} is used twice (${name})`);
    this.used.add(pgno);
  }

  private readBytes(position: number, length: number): Buffer {
    return this.readInto(Buffer.allocUnsafe(length), position, length);
  }

  private readInto(target: Buffer, position: number, length: number): Buffer {
    if (position + length > this.fileSize) {
      throw this.fail(
        `page ${Math.floor((position + length - 1) / this.psize)} is in use but lies past the end of the file (${this.fileSize} bytes): the file was truncated`,
      );
    }
    if (readSync(this.fd, target, 0, length, position) !== length) throw this.fail(`bytes ${position} to ${position + length} cannot be read`);
    return target.subarray(0, length);
  }

  private fail(what: string): FormatError {
    return new FormatError(`${this.file} is damaged: ${what}`, { file: this.file });
  }
}

/** LMDB's default key order: bytewise, a prefix before longer keys. Negative when a < b. */
function compareKeys(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

/** Pages read at once (neighbours in the file). */
const maxRun = 256;

function u16(b: Buffer, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function u32(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function readDbRecord(b: Buffer, at: number): DbRecord {
  return {
    flags: b.readUInt16LE(at + 4),
    depth: b.readUInt16LE(at + 6),
    branchPages: Number(b.readBigUInt64LE(at + 8)),
    leafPages: Number(b.readBigUInt64LE(at + 16)),
    overflowPages: Number(b.readBigUInt64LE(at + 24)),
    entries: Number(b.readBigUInt64LE(at + 32)),
    root: b.readBigUInt64LE(at + 40),
  };
}
