/**
 * @module runHiveCommand: carries out a write command (post, cancel, retry, signal) on a data directory: through
 * the running hive's control channel when a process holds the directory, else by opening it.
 */
import type { Json } from '../../machines/types.js';
import type { Hive } from '../createHive.js';
import { LockedError } from '../errors.js';
import { lockHolder } from '../query/readStore.js';
import type { TaskSpec } from '../specs.js';
import type { ControlRequest } from './control/controlProtocol.js';
import { sendControl } from './control/sendControl.js';
import { withWriterHive } from './withWriterHive.js';

/**
 * Runs `request` against the hive in `dir` and resolves with the task view it returns.
 * @example const view = await runHiveCommand('./.hivestate', { op: 'post', task: { type: 'build' } })
 */
export async function runHiveCommand(dir: string, request: ControlRequest): Promise<Json> {
  const pid = lockHolder(dir);
  if (pid !== undefined && pid !== process.pid) {
    const result = await sendControl(dir, request);
    if (result === undefined) throw new LockedError(dir, { pid });
    return result;
  }
  return withWriterHive(dir, async (hive) => (await apply(hive, request)) as unknown as Json);
}

function apply(hive: Hive, request: ControlRequest) {
  switch (request.op) {
    case 'post':
      return hive.postTask(request.task as unknown as TaskSpec);
    case 'cancel':
      return hive.cancelTask(request.taskId, request.by === undefined ? {} : { by: request.by });
    case 'retry':
      return hive.retryTask(request.taskId, request.by === undefined ? {} : { by: request.by });
    case 'signal':
      return hive.signal(request.taskId, request.name, request.value);
  }
}
