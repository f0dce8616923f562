/** @module collectPrunable: chooses finished tasks older than a time for deletion by the next checkpoint. */
import { auctionAddress, taskAddress } from '../../machines/address.js';
import type { TaskContext } from '../../machines/task.js';
import { isTerminalTaskStatus, terminalTaskStatuses } from '../../machines/types.js';
import { upcastTaskContext } from './kinds/upcastTaskContext.js';
import type { KernelCore } from './KernelCore.js';

/**
 * Marks finished tasks that finished before `before` (stored ones and ones still in memory) for
 * deletion; returns how many. The result must not depend on checkpoint timing.
 * @example collectPrunable(core, Date.now() - 86_400_000)
 */
export function collectPrunable(core: KernelCore, before: number): number {
  let n = 0;
  const live = core.actors.get('task')!;
  for (const t of core.store.finishedTasksBefore(before, terminalTaskStatuses)) {
    if (core.pruning.has(t.id) || live.has(t.id)) continue;
    const spec = upcastTaskContext((t.actor.snapshot as { context: unknown }).context).spec;
    const key = spec.idempotencyKey;
    core.pruning.set(t.id, { address: taskAddress(t.id), id: t.id, status: t.status, order: t.order, idempotencyKey: key });
    if (spec.assign === 'auction') removeAuction(core, t.id);
    core.countTask(t.status, undefined);
    n++;
  }
  for (const [id, slot] of live) {
    const snap = (slot.snap ?? slot.persisted)!;
    const status = String(snap.value);
    const ctx = snap.context as TaskContext;
    if (!isTerminalTaskStatus(status) || ctx.finishedAt === undefined || ctx.finishedAt >= before) continue;
    const address = taskAddress(id);
    // If a checkpoint in flight writes this task, the store will hold that status when ours commits.
    const storeStatus = core.writing.get(address) ?? slot.storedStatus;
    live.delete(id);
    core.dirty.delete(address);
    const key = ctx.spec.idempotencyKey;
    if (key !== undefined && core.idempotencyKeys.get(key) === id) core.idempotencyKeys.delete(key);
    core.pruning.set(id, { address, id, status: storeStatus ?? status, order: ctx.spec.order, idempotencyKey: key, stored: storeStatus !== undefined });
    if (ctx.spec.assign === 'auction') removeAuction(core, id);
    core.countTask(status, undefined);
    n++;
  }
  return n;
}

/** A pruned task's auction (its bids and routing record) goes with it. */
function removeAuction(core: KernelCore, taskId: string): void {
  const address = auctionAddress(taskId);
  core.actors.get('auction')!.delete(taskId);
  core.dirty.delete(address);
  core.removed.add(address);
}
