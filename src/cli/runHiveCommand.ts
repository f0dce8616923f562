/**
 * @module runHiveCommand: carries out a write command (post, cancel, retry, signal) on a data directory: through
 * the running hive's control channel when a process holds the directory, else by opening it
 * (intake-only) itself.
 */
import type { Json } from '../../machines/types.js';
import { applyControl } from '../control/controlOps.js';
import type { ControlRequest } from '../control/controlProtocol.js';
import { LockedError } from '../errors.js';
import { lockHolder } from '../query/readStore.js';
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
    if (result === undefined)
      throw new LockedError(
        dir,
        { pid },
        undefined,
        'it takes no commands from the CLI: open it with createHive({ control: true }) to let hivestate post and cancel reach it',
      );
    return result;
  }
  return withWriterHive(dir, (hive) => applyControl(hive, request));
}
