/** @module retryTask: `hive.retryTask()`: a failed, timed-out or rejected task back to the queue as a new attempt. */
import { AccessDeniedError, NotFoundError, NotRetryableError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { retryableStatuses, type RetryResult } from '../kernel/retryInput.js';
import { checkId, checkKeys, checkName } from '../validate.js';
import type { TaskView } from '../views.js';

/**
 * Journals `task.retry` and answers with the task once it is pending again. Owner rules are those
 * of `cancelTask`: a task with an owner is retried only `by` that owner.
 * @example await retryTask(kernel, 'build-1', { by: 'alice' })
 */
export async function retryTask(kernel: Kernel, id: string, options: { by?: string } = {}): Promise<TaskView> {
  const o = checkKeys('retryTask', options, ['by']);
  const by = o.by === undefined ? undefined : checkName('by', o.by);
  checkId('taskId', id);
  const view = kernel.getTask(id);
  if (!view) throw new NotFoundError('task', id);
  if (view.owner !== undefined && by !== view.owner) throw new AccessDeniedError(id, by);
  if (!retryableStatuses.has(view.status)) throw new NotRetryableError(id, view.status);
  const r = (await kernel.submit({ type: 'task.retry', taskId: id, ...(by !== undefined ? { by } : {}) })) as RetryResult;
  if (!r.retried)
    throw new NotRetryableError(id, 'dependencyId' in r ? view.status : r.status, 'dependencyId' in r ? { id: r.dependencyId, status: r.status } : undefined);
  return kernel.getTask(id)!;
}
