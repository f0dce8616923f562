/** @module waitForTask: `hive.waitForTask()`: resolves with a task once it is terminal. */
import { HiveClosedError, NotFoundError, WaitTimeoutError } from '../errors.js';
import type { Kernel } from '../kernel/Kernel.js';
import { isTerminalTaskStatus } from '../../machines/types.js';
import { checkId, checkInt, checkKeys } from '../validate.js';
import type { TaskView } from '../views.js';

/**
 * Waits for task `id` to settle. The look at its status and the subscription happen in one
 * synchronous step, so a task that settles in between cannot be missed. `waits` holds the open
 * waits' closers: the hive calls them on close, which rejects them with HiveClosedError.
 * @example await waitForTask(kernel, waits, 'build-1', { timeoutMs: 5000 })
 */
export function waitForTask(kernel: Kernel, waits: Set<() => void>, id: string, options: { timeoutMs?: number }): Promise<TaskView> {
  const o = checkKeys('waitForTask', options, ['timeoutMs']);
  const timeoutMs = o.timeoutMs === undefined ? undefined : checkInt('timeoutMs', o.timeoutMs, 0, 2 ** 31 - 1);
  checkId('taskId', id);
  const now = kernel.getTask(id);
  if (!now) return Promise.reject(new NotFoundError('task', id));
  if (isTerminalTaskStatus(now.status)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      if (timer) clearTimeout(timer);
      waits.delete(closed);
    };
    // A wait still open when the hive closes ends with HiveClosedError instead of never.
    const closed = () => {
      off();
      done();
      reject(new HiveClosedError(`the hive closed while waiting for task ${JSON.stringify(id)}`));
    };
    waits.add(closed);
    const off = kernel.onSettled(id, (view) => {
      done();
      resolve(view);
    });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        off();
        done();
        reject(new WaitTimeoutError(id, timeoutMs, kernel.getTask(id)?.status ?? 'unknown'));
      }, timeoutMs);
    }
  });
}
