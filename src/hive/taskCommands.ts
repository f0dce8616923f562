/** @module taskCommands: `hive.cancelTask()` and `hive.prune()`, checked before anything is journaled. */
import { AccessDeniedError, AlreadyFinishedError, NotFoundError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { checkBool, checkId, checkKeys, checkName, checkTime } from '../validate.js';
import type { TaskView } from '../views.js';

/**
 * Cancels an unfinished task; a task with an owner is cancelled only `by` that owner.
 * @example await cancelTask(kernel, 'build-1', { by: 'alice' })
 */
export async function cancelTask(kernel: Kernel, id: string, options: { by?: string }): Promise<TaskView> {
  const o = checkKeys('cancelTask', options, ['by']);
  const by = o.by === undefined ? undefined : checkName('by', o.by);
  checkId('taskId', id);
  const view = kernel.getTask(id);
  if (!view) throw new NotFoundError('task', id);
  if (view.owner !== undefined && by !== view.owner) throw new AccessDeniedError(id, by);
  if (isTerminalTaskStatus(view.status)) throw new AlreadyFinishedError(id, view.status);
  await kernel.submit({ type: 'task.cancel', taskId: id, ...(by !== undefined ? { by } : {}) });
  const after = kernel.getTask(id)!;
  // An outcome journaled just before the cancel may have finished the task first.
  if (after.status !== 'cancelled') throw new AlreadyFinishedError(id, after.status);
  return after;
}

/**
 * Deletes tasks finished before `before` (default: now minus the retention window) in a checkpoint
 * written at once, and with `compactJournal` the journal records that checkpoint covers.
 * @example await prune(kernel, Date.now() - retentionMs, { compactJournal: true })
 */
export async function prune(kernel: Kernel, defaultBefore: number, options: { before?: number; compactJournal?: boolean }): Promise<number> {
  const o = checkKeys('prune', options, ['before', 'compactJournal']);
  const before = o.before === undefined ? defaultBefore : checkTime('before', o.before);
  const compactJournal = o.compactJournal === undefined ? false : checkBool('compactJournal', o.compactJournal);
  const n = (await kernel.submit({ type: 'hive.prune', before, ...(compactJournal ? { compactJournal } : {}) })) as number;
  await kernel.checkpoint();
  return n;
}
