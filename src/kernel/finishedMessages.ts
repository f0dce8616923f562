/**
 * @module finishedMessages: the finished messages in memory, oldest finished first, so that a send
 * can keep at most `keepFinished` of them (`createHive({ messages: { keepFinished } })`, carried in
 * each send, so replay keeps the same). Derived from the message actors (rebuilt as they are
 * restored, in any order: the heap's order is total), never stored.
 */
import { messageAddress, type MessageContext } from '../../machines/message.js';
import { Heap } from './Heap.js';
import type { KernelCore } from './KernelCore.js';

interface Entry {
  id: string;
  finishedAt: number;
  order: number;
}

/** The heap may hold entries of messages `hive.prune` deleted since; `count` is exact. */
interface Finished {
  heap: Heap<Entry>;
  count: number;
}

const older = (a: Entry, b: Entry) => a.finishedAt < b.finishedAt || (a.finishedAt === b.finishedAt && a.order < b.order);
const indexes = new WeakMap<KernelCore, Finished>();

function finishedOf(core: KernelCore): Finished {
  let f = indexes.get(core);
  if (!f) indexes.set(core, (f = { heap: new Heap(older), count: 0 }));
  return f;
}

/** Records a message that has just finished (or was restored finished). */
export function noteFinished(core: KernelCore, id: string, c: MessageContext): void {
  const f = finishedOf(core);
  f.heap.push({ id, finishedAt: c.finishedAt ?? c.updatedAt, order: c.spec.order });
  f.count++;
}

/** Deletes a finished message from memory; the next checkpoint removes it from the store. */
export function removeFinished(core: KernelCore, id: string): void {
  const addr = messageAddress(id);
  core.actors.get('message')!.delete(id);
  core.dirty.delete(addr);
  core.removed.add(addr);
  finishedOf(core).count--;
}

/**
 * Deletes the oldest finished messages until at most `max` are left.
 * @example keepFinished(core, 100_000)
 */
export function keepFinished(core: KernelCore, max: number): void {
  const f = finishedOf(core);
  const messages = core.actors.get('message')!;
  while (f.count > max) {
    const top = f.heap.pop();
    if (!top) return;
    if (messages.has(top.id)) removeFinished(core, top.id);
  }
}
