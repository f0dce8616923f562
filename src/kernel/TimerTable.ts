/** @module TimerTable: the kernel's durable timers, by id and by due time, with the changes since the last checkpoint. */
import type { StoredTimer } from '../store/HiveStore.js';
import { Heap } from './Heap.js';

export class TimerTable {
  private readonly byId = new Map<string, StoredTimer>();
  private readonly byDue = new Heap<StoredTimer>((a, b) => a.due < b.due || (a.due === b.due && a.timerId < b.timerId));
  private dirtySet = new Map<string, StoredTimer>();
  private dirtyCleared = new Set<string>();

  get size(): number {
    return this.byId.size;
  }

  /** Loads timers from a checkpoint (not counted as changes). */
  load(timers: Iterable<StoredTimer>): void {
    for (const t of timers) {
      if (!Number.isFinite(t.due)) continue; // written by hivestate <= 0.1 (a heartbeat armed at NaN): it could never fire
      this.byId.set(t.timerId, t);
      this.byDue.push(t);
    }
  }

  /** Arms a timer, replacing the one with the same id. A due time that is not a number never fires: it only clears. */
  set(timer: StoredTimer): void {
    if (!Number.isFinite(timer.due)) {
      this.clear(timer.timerId); // a NaN due would also break the heap's order for every other timer
      return;
    }
    this.byId.set(timer.timerId, timer);
    this.byDue.push(timer);
    this.dirtySet.set(timer.timerId, timer);
    this.dirtyCleared.delete(timer.timerId);
  }

  clear(timerId: string): StoredTimer | undefined {
    const t = this.byId.get(timerId);
    if (!t) return undefined;
    this.byId.delete(timerId);
    this.dirtySet.delete(timerId);
    this.dirtyCleared.add(timerId);
    return t;
  }

  get(timerId: string): StoredTimer | undefined {
    return this.byId.get(timerId);
  }

  /** The earliest live timer. */
  next(): StoredTimer | undefined {
    for (;;) {
      const top = this.byDue.peek();
      if (!top) return undefined;
      if (this.byId.get(top.timerId) === top) return top;
      this.byDue.pop();
    }
  }

  /** Live timers due at or before `now`, earliest first (they stay in the table until fired). */
  due(now: number): StoredTimer[] {
    const out: StoredTimer[] = [];
    for (let top = this.next(); top && top.due <= now; top = this.next()) out.push(this.byDue.pop()!);
    for (const t of out) this.byDue.push(t);
    return out;
  }

  /** Changes since the last call, for a checkpoint. */
  takeChanges(): { set: StoredTimer[]; cleared: string[] } {
    const changes = { set: [...this.dirtySet.values()], cleared: [...this.dirtyCleared] };
    this.dirtySet = new Map();
    this.dirtyCleared = new Set();
    return changes;
  }
}
