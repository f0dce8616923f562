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
  capabilities: readonly string[];
  /** Capabilities it may be assigned: those the hive's process has a handler for. */
  runnable: readonly string[];
}

const better = (a: Entry, b: Entry) => compareAgents(a, b) < 0;

export class AgentPool {
  private readonly current = new Map<string, Entry>();
  private readonly heaps = new Map<string, Heap<Entry>>();
  private readonly byCapability = new Map<string, Set<string>>();
  /** Agents not stopped, per capability: could ever take the work. */
  private readonly capable = new Map<string, number>();
  /** Of those, the ones this process has a handler for the capability. */
  private readonly runnable = new Map<string, number>();
  /** Capabilities whose `gap` changed (none became some or the reverse) since `takeChanged`. */
  private changed = new Set<string>();
  private nextVersion = 1;

  /** Records an agent's state after it changed (or when it is first seen). */
  update(id: string, status: string, c: AgentContext): void {
    const cur = this.current.get(id);
    const runnable = c.runnable ?? c.capabilities;
    if (
      cur &&
      cur.status === status &&
      cur.load === c.load &&
      cur.lastTaskAt === c.lastTaskAt &&
      cur.maxConcurrent === c.maxConcurrent &&
      sameList(cur.runnable, runnable)
    )
      return;
    if (!cur) {
      for (const cap of c.capabilities) {
        let ids = this.byCapability.get(cap);
        if (!ids) this.byCapability.set(cap, (ids = new Set()));
        ids.add(id);
      }
    }
    const entry: Entry = {
      id,
      status,
      priority: c.priority,
      load: c.load,
      maxConcurrent: c.maxConcurrent,
      lastTaskAt: c.lastTaskAt,
      order: c.order,
      version: this.nextVersion++,
      capabilities: c.capabilities,
      runnable,
    };
    this.current.set(id, entry);
    // Counts change only when an agent appears, stops, or gains or loses handlers (not on load).
    if (!cur || (cur.status === 'stopped') !== (status === 'stopped') || !sameList(cur.runnable, runnable)) this.recount(cur, entry);
    if (!isAvailable(entry)) return;
    // A detached agent (no handler in this process for a capability) is never offered that work.
    for (const cap of runnable) {
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

  /**
   * Why a task of type `capability` that refused the agents in `excluded` cannot be assigned,
   * whatever the load: 'capability' when no agent (not stopped, not excluded) has the capability,
   * 'handler' when some have but this process has a handler for none of them; undefined otherwise.
   * @example pool.gap('build', []) // 'capability' before any builder is spawned
   */
  gap(capability: string, excluded: readonly string[]): 'capability' | 'handler' | undefined {
    if (excluded.length === 0) {
      if (!this.capable.get(capability)) return 'capability';
      return this.runnable.get(capability) ? undefined : 'handler';
    }
    let capable = false;
    for (const id of this.byCapability.get(capability) ?? []) {
      const e = this.current.get(id);
      if (!e || e.status === 'stopped' || excluded.includes(id)) continue;
      if (e.runnable.includes(capability)) return undefined;
      capable = true;
    }
    return capable ? 'handler' : 'capability';
  }

  /** Capabilities whose `gap` (for tasks that refused no agent) may have changed since the last call. */
  takeChanged(): string[] {
    const out = [...this.changed];
    this.changed = new Set();
    return out;
  }

  private recount(before: Entry | undefined, after: Entry): void {
    const delta = new Map<string, [number, number]>();
    const add = (e: Entry | undefined, sign: number) => {
      if (!e || e.status === 'stopped') return;
      for (const cap of e.capabilities) (delta.get(cap) ?? delta.set(cap, [0, 0]).get(cap)!)[0] += sign;
      for (const cap of e.runnable) (delta.get(cap) ?? delta.set(cap, [0, 0]).get(cap)!)[1] += sign;
    };
    add(before, -1);
    add(after, 1);
    for (const [cap, [dc, dr]] of delta) {
      const c0 = this.capable.get(cap) ?? 0;
      const r0 = this.runnable.get(cap) ?? 0;
      this.capable.set(cap, c0 + dc);
      this.runnable.set(cap, r0 + dr);
      if (c0 > 0 !== c0 + dc > 0 || r0 > 0 !== r0 + dr > 0) this.changed.add(cap);
    }
  }

  /**
   * Whether an agent other than `except` and those in `excluded` could take work of `capability`
   * now or once free: idle or busy (not paused, in error or stopped) and runnable in this process.
   * A failed agent's task with none is suspended; a suspended task resumes once there is one.
   * @example pool.hasBackup('build', 'a1', []) // false when a1 was the only builder
   */
  hasBackup(capability: string, except: string, excluded: readonly string[]): boolean {
    for (const id of this.byCapability.get(capability) ?? []) {
      if (id === except || excluded.includes(id)) continue;
      const e = this.current.get(id);
      if (e && (e.status === 'idle' || e.status === 'busy') && e.runnable.includes(capability)) return true;
    }
    return false;
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

const sameList = (a: readonly string[], b: readonly string[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
