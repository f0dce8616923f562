/**
 * @module AgentPool: every agent's availability, indexed by capability and ordered by the ranking
 * rule (agent priority, load, least recently used, registration order), so finding the best free
 * agent for a task type costs O(log n) instead of a scan of every agent. Entries are invalidated
 * lazily, as in the task queue.
 */
import type { AgentContext } from '../../machines/agent.js';
import { compareAgents, isAvailable, type AgentCandidate } from '../../machines/coordinator.js';
import { Heap } from './Heap.js';

interface Entry extends AgentCandidate {
  version: number;
}

const better = (a: Entry, b: Entry) => compareAgents(a, b) < 0;

export class AgentPool {
  private readonly current = new Map<string, Entry>();
  private readonly heaps = new Map<string, Heap<Entry>>();
  private readonly byCapability = new Map<string, Set<string>>();
  private nextVersion = 1;

  /** Records an agent's state after it changed (or when it is first seen). */
  update(id: string, status: string, c: AgentContext): void {
    const cur = this.current.get(id);
    if (cur && cur.status === status && cur.load === c.load && cur.lastTaskAt === c.lastTaskAt && cur.maxConcurrent === c.maxConcurrent) return;
    if (!cur) {
      for (const cap of c.capabilities) {
        let ids = this.byCapability.get(cap);
        if (!ids) this.byCapability.set(cap, (ids = new Set()));
        ids.add(id);
      }
    }
    const entry: Entry = { id, status, priority: c.priority, load: c.load, maxConcurrent: c.maxConcurrent, lastTaskAt: c.lastTaskAt, order: c.order, version: this.nextVersion++ };
    this.current.set(id, entry);
    if (!isAvailable(entry)) return;
    for (const cap of c.capabilities) {
      let heap = this.heaps.get(cap);
      if (!heap) this.heaps.set(cap, (heap = new Heap(better)));
      heap.push(entry);
    }
  }

  /**
   * The best free agent with `capability` that is not in `excluded`, or undefined.
   * @example pool.best('build', task.excluded)
   */
  best(capability: string, excluded: readonly string[]): string | undefined {
    const heap = this.heaps.get(capability);
    if (!heap) return undefined;
    const aside: Entry[] = [];
    let found: string | undefined;
    for (let top = heap.peek(); top; top = heap.peek()) {
      if (this.current.get(top.id) !== top) {
        heap.pop(); // stale: the agent changed since
        continue;
      }
      if (!excluded.includes(top.id)) {
        found = top.id;
        break;
      }
      aside.push(heap.pop()!);
    }
    for (const e of aside) heap.push(e);
    if (heap.size === 0) this.heaps.delete(capability);
    return found;
  }

  /**
   * Every free agent with `capability` not in `excluded`, best first by the ranking rule (auctions ask them all).
   * @example pool.ranked('build', []) // ['a2', 'a1']
   */
  ranked(capability: string, excluded: readonly string[]): string[] {
    const free: Entry[] = [];
    for (const id of this.byCapability.get(capability) ?? []) {
      const e = this.current.get(id);
      if (e && isAvailable(e) && !excluded.includes(id)) free.push(e);
    }
    return free.sort(compareAgents).map((e) => e.id);
  }

  /** Whether agent `id` can take a task now. */
  isFree(id: string): boolean {
    const e = this.current.get(id);
    return e !== undefined && isAvailable(e);
  }

  /** Whether any agent with `capability` is free now. */
  hasFree(capability: string): boolean {
    return this.best(capability, []) !== undefined;
  }

  /** Agents with `capability` that are not stopped, other than `except` and those in `excluded`. */
  countCapable(capability: string, except: string, excluded: readonly string[]): number {
    let n = 0;
    for (const id of this.byCapability.get(capability) ?? []) {
      if (id !== except && !excluded.includes(id) && this.current.get(id)?.status !== 'stopped') n++;
    }
    return n;
  }
}
