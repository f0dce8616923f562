/**
 * @module TaskTree: the unfinished sub-tasks below each task (by every ancestor, so a finished task
 * in the middle of a chain does not cut it), and the subtree cancel that uses it. Derived data:
 * rebuilt from the live tasks' specs on recovery.
 */
import { taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import type { KernelCore } from './KernelCore.js';

export class TaskTree {
  private readonly below = new Map<string, Set<string>>();

  /** Indexes an unfinished task under each of its ancestors. */
  add(id: string, ancestors: readonly string[]): void {
    for (const a of ancestors) {
      let set = this.below.get(a);
      if (!set) this.below.set(a, (set = new Set()));
      set.add(id);
    }
  }

  /** A task finished: it no longer belongs to any subtree to cancel. */
  remove(id: string, ancestors: readonly string[]): void {
    for (const a of ancestors) {
      const set = this.below.get(a);
      if (!set) continue;
      set.delete(id);
      if (set.size === 0) this.below.delete(a);
    }
  }

  /** Unfinished tasks below `id`, at any depth. */
  descendants(id: string): string[] {
    return [...(this.below.get(id) ?? [])];
  }
}

/**
 * Cancels every unfinished task below `taskId`, in post order (the same order live, on recovery and
 * in replay, whatever order the index was rebuilt in).
 * @example cancelSubtree(core, 'parent', 'alice')
 */
export function cancelSubtree(core: KernelCore, taskId: string, by: string | undefined): void {
  const order = (id: string) => (core.current('task', id)?.context as TaskContext | undefined)?.spec.order ?? 0;
  const ids = core.taskTree.descendants(taskId).sort((a, b) => order(a) - order(b));
  for (const id of ids) core.deliver(taskAddress(id), { type: 'task.cancel', ...(by !== undefined ? { by } : {}), at: core.at }, taskAddress(taskId));
}
