/** @module ActorDirectory: every actor at one point of the run, in tree order, counted by kind and status, served a page at a time. */
import { kinds } from '../kernel/kinds/index.js';
import type { ActorState } from '../replay/Replay.js';
import { parentInTree } from './actorTree.js';
import type { DirectoryCounts, DirectoryEntry, DirectoryPage } from './inspectorApi.js';

export type { DirectoryCounts, DirectoryEntry, DirectoryPage };

export interface DirectoryQuery {
  offset?: number;
  limit?: number;
  /** Case-insensitive text that the address or the status must contain. */
  q?: string;
  kind?: string;
  status?: string;
}

interface Row {
  address: string;
  kind: string;
  status: string;
  parent: string;
  order: number;
  finished: boolean;
}

/** Kinds in the order the tree lists siblings; kinds not named here follow, by name. */
const kindRank: Record<string, number> = { coordinator: 0, colony: 1, agent: 2, worker: 3, auction: 4, task: 5 };

const kindOf = (name: string) => (kinds as Record<string, (typeof kinds)[keyof typeof kinds] | undefined>)[name];

function rowOf(a: ActorState): Row {
  const kind = kindOf(a.kind);
  const context = (a.snapshot as { context?: unknown }).context ?? {};
  let order = 0;
  let finished = false;
  try {
    order = kind ? Number(kind.order(context as never)) || 0 : 0;
    finished = kind ? kind.isFinished(a.status) : false;
  } catch {
    // An unreadable context sorts first; it is still listed.
  }
  return { address: a.address, kind: a.kind, status: a.status, parent: parentInTree(a), order, finished };
}

const compareSiblings = (x: Row, y: Row): number =>
  (kindRank[x.kind] ?? 9) - (kindRank[y.kind] ?? 9) ||
  (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0) ||
  Number(x.finished) - Number(y.finished) ||
  // Active actors oldest first (the queue's order), finished ones newest first.
  (x.finished ? y.order - x.order : x.order - y.order) ||
  (x.address < y.address ? -1 : x.address > y.address ? 1 : 0);

export const maxDirectoryPage = 500;

/**
 * The actors of one point, kept so that paging, searching and counting do not list them again.
 * Built once per point (`fromActors`) and moved forward by the actors that changed (`update`).
 * @example
 * const dir = ActorDirectory.fromActors(replay.actors(), replay.position)
 * dir.page({ q: 'build', limit: 50 }).items
 */
export class ActorDirectory {
  private readonly rows = new Map<string, Row>();
  private ordered: DirectoryEntry[] | undefined;
  private countCache: DirectoryCounts | undefined;
  private readonly filtered = new Map<string, DirectoryEntry[]>();

  private constructor(public seq: number) {}

  static fromActors(actors: ActorState[], seq: number): ActorDirectory {
    const d = new ActorDirectory(seq);
    for (const a of actors) d.rows.set(a.address, rowOf(a));
    return d;
  }

  get size(): number {
    return this.rows.size;
  }

  has(address: string): boolean {
    return this.rows.has(address);
  }

  /** Replaces the rows of actors that changed (undefined: the actor is gone) and moves to `seq`. */
  update(changed: Map<string, ActorState | undefined>, seq: number): void {
    this.seq = seq;
    let dirty = false;
    for (const [address, a] of changed) {
      const before = this.rows.get(address);
      if (!a) {
        if (before) {
          this.rows.delete(address);
          dirty = true;
        }
        continue;
      }
      const row = rowOf(a);
      if (!before || before.status !== row.status || before.parent !== row.parent || before.order !== row.order) {
        this.rows.set(address, row);
        dirty = true;
      }
    }
    if (dirty) {
      this.ordered = undefined;
      this.countCache = undefined;
      this.filtered.clear();
    }
  }

  /** Actors per kind and status. */
  counts(): DirectoryCounts {
    if (this.countCache) return this.countCache;
    const out: DirectoryCounts = { total: this.rows.size, kinds: {} };
    for (const r of this.rows.values()) {
      const k = (out.kinds[r.kind] ??= { total: 0, byStatus: {} });
      k.total++;
      k.byStatus[r.status] = (k.byStatus[r.status] ?? 0) + 1;
    }
    this.countCache = out;
    return out;
  }

  /**
   * A page of the actors that match, in tree order (parents before their children, depth-first).
   * @example dir.page({ kind: 'task', status: 'failed', offset: 0, limit: 100 })
   */
  page(query: DirectoryQuery = {}): DirectoryPage {
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.max(0, Math.min(maxDirectoryPage, Math.floor(query.limit ?? 100)));
    const list = this.matching(query);
    return { seq: this.seq, total: list.length, offset, items: list.slice(offset, offset + limit) };
  }

  /** Where an actor is in the list a query gives (-1: not in it), so the page can scroll to it. */
  indexOf(address: string, query: DirectoryQuery = {}): number {
    return this.matching(query).findIndex((e) => e.address === address);
  }

  private matching(query: DirectoryQuery): DirectoryEntry[] {
    const q = (query.q ?? '').trim().toLowerCase();
    const kind = query.kind ?? '';
    const status = query.status ?? '';
    if (!q && !kind && !status) return this.tree();
    const key = JSON.stringify([q, kind, status]);
    let list = this.filtered.get(key);
    if (!list) {
      list = this.tree().filter(
        (e) => (!kind || e.kind === kind) && (!status || e.status === status) && (!q || e.address.toLowerCase().includes(q) || e.status.includes(q)),
      );
      // A few recent queries are kept: typing a search asks for its pages again and again.
      if (this.filtered.size >= 8) this.filtered.delete(this.filtered.keys().next().value as string);
      this.filtered.set(key, list);
    }
    return list;
  }

  /** Depth-first order over the parent links; an actor whose parent is missing is a root. */
  private tree(): DirectoryEntry[] {
    if (this.ordered) return this.ordered;
    const children = new Map<string, Row[]>();
    const roots: Row[] = [];
    for (const r of this.rows.values()) {
      if (r.parent === '' || r.parent === r.address || !this.rows.has(r.parent)) roots.push(r);
      else {
        let list = children.get(r.parent);
        if (!list) children.set(r.parent, (list = []));
        list.push(r);
      }
    }
    roots.sort(compareSiblings);
    for (const list of children.values()) list.sort(compareSiblings);
    const out: DirectoryEntry[] = [];
    const seen = new Set<string>();
    // An explicit stack: agent lineages can be deep, and a cycle in parent links must not loop.
    const stack: Array<[Row, number]> = roots.map((r): [Row, number] => [r, 0]).reverse();
    const visit = (start: Array<[Row, number]>) => {
      while (start.length > 0) {
        const [r, depth] = start.pop()!;
        if (seen.has(r.address)) continue;
        seen.add(r.address);
        const kids = children.get(r.address) ?? [];
        out.push({ address: r.address, kind: r.kind, status: r.status, parent: r.parent, depth, children: kids.length, finished: r.finished });
        for (let i = kids.length - 1; i >= 0; i--) start.push([kids[i]!, depth + 1]);
      }
    };
    visit(stack);
    // Actors only reachable through a cycle of parents: listed as roots rather than lost.
    for (const r of [...this.rows.values()].sort(compareSiblings)) if (!seen.has(r.address)) visit([[r, 0]]);
    this.ordered = out;
    return out;
  }
}
