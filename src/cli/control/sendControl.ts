/** @module sendControl: sends one request over a running hive's control socket and returns its answer. */
import { connect } from 'node:net';
import type { Json } from '../../../machines/types.js';
import { HiveError, type HiveErrorCode } from '../../errors.js';
import { controlSocketPath } from '../../control/controlSocketPath.js';
import type { ControlRequest, ControlResponse } from '../../control/controlProtocol.js';

/**
 * Resolves with the result, rejects with a HiveError carrying the remote error's code, or resolves
 * `undefined` when nothing listens on the directory's control socket.
 * @example const view = await sendControl('./.hivestate', { op: 'cancel', taskId: 'build:core' })
 */
export function sendControl(dataDir: string, request: ControlRequest, timeoutMs = 10_000): Promise<Json | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect(controlSocketPath(dataDir));
    let buf = '';
    let connected = false;
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new HiveError('wait_timeout', `the running hive did not answer within ${timeoutMs} ms`));
    });
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => (buf += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) resolve(undefined);
      else reject(new HiveError('store_failure', `control channel: ${err.message}`));
    });
    socket.on('end', () => {
      let res: ControlResponse;
      try {
        res = JSON.parse(buf) as ControlResponse;
      } catch {
        return reject(new HiveError('store_failure', 'control channel: the running hive sent an unreadable answer'));
      }
      if (res.ok) resolve(res.result);
      else reject(new HiveError(res.error.code as HiveErrorCode, res.error.message));
    });
  });
}
