/** @module signalTask: `hive.signal()`: sends a named JSON value to a task (human in the loop). */
import type { Json } from '../../machines/types.js';
import { AlreadyFinishedError, NotFoundError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { checkId, checkJson } from '../validate.js';
import type { TaskView } from '../views.js';

/**
 * Journals the signal; resolves with the task once it is applied. A task `waiting` for this name
 * goes back to the queue; any other unfinished task keeps the value for its handler's
 * `waitForSignal`. The latest value sent for a name wins.
 * @example await signalTask(kernel, 'deploy-1', 'approve', { by: 'alice', ok: true })
 */
export async function signalTask(kernel: Kernel, taskId: string, name: string, value: unknown): Promise<TaskView> {
  checkId('taskId', taskId);
  checkId('signal name', name);
  const json = checkJson('value', value === undefined ? null : value) as Json;
  const view = kernel.getTask(taskId);
  if (!view) throw new NotFoundError('task', taskId);
  if (isTerminalTaskStatus(view.status)) throw new AlreadyFinishedError(taskId, view.status, 'signalled');
  await kernel.submit({ type: 'task.signal', taskId, name, value: json });
  return kernel.getTask(taskId)!;
}
