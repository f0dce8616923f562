/**
 * @module TaskQueue: the ready tasks waiting for an agent, one heap per task type, highest
 * effective priority first and first-in first-out within a priority. Entries are invalidated
 * lazily, so a priority change or removal costs O(log n).
 */
import { Heap } from './Heap.js';

interface Entry {
  id: string;
  priority: number;
  order: number;
  version: number;
}

const before = (a: Entry, b: Entry) => a.priority > b.priority || (a.priority === b.priority && a.order < b.order);

export class TaskQueue {
  private readonly heaps = new Map<string, Heap<Entry>>();
  /** id -> the live entry (its version); anything else in a heap is stale. */
  private readonly current = new Map<string, { type: string; priority: number; version: number }>();
  private nextVersion = 1;

  get size(): number {
    return this.current.size;
  }

  has(id: string): boolean {
    return this.current.has(id);
  }

  /** Adds a task, or moves it when its priority changed. Returns true when something changed. */
  upsert(id: string, type: string, priority: number, order: number): boolean {
    const cur = this.current.get(id);
    if (cur && cur.priority === priority) return false;
    const version = this.nextVersion++;
    this.current.set(id, { type, priority, version });
    let heap = this.heaps.get(type);
    if (!heap) this.heaps.set(type, (heap = new Heap(before)));
    heap.push({ id, priority, order, version });
    return true;
  }

  remove(id: string): void {
    this.current.delete(id);
  }

  /** The best live entry of a type, dropping stale ones on the way. */
  peek(type: string): { id: string; priority: number; order: number } | undefined {
    const heap = this.heaps.get(type);
    if (!heap) return undefined;
    for (;;) {
      const top = heap.peek();
      if (!top) {
        this.heaps.delete(type);
        return undefined;
      }
      if (this.current.get(top.id)?.version === top.version) return top;
      heap.pop();
    }
  }

  /** Types that have at least one queued task. */
  types(): IterableIterator<string> {
    return this.heaps.keys();
  }

  /** Takes the best task of a type out of the queue. */
  take(type: string): string | undefined {
    const top = this.peek(type);
    if (!top) return undefined;
    this.heaps.get(type)!.pop();
    this.current.delete(top.id);
    return top.id;
  }

  /** How many tasks are queued per type (for reports, not the hot path). */
  countsByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const cur of this.current.values()) out.set(cur.type, (out.get(cur.type) ?? 0) + 1);
    return out;
  }

  /** Ids queued for a type, best first (a copy: for queries, not the hot path). */
  list(type?: string): string[] {
    const rows: Entry[] = [];
    for (const [id, cur] of this.current)
      if (type === undefined || cur.type === type) rows.push({ id, priority: cur.priority, order: 0, version: cur.version });
    return rows.sort((a, b) => b.priority - a.priority || a.version - b.version).map((r) => r.id);
  }
}
