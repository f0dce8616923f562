/**
 * @module serveControl: a local control channel (a Unix socket) through which `hivestate post` and
 * `hivestate cancel` reach the process that holds a data directory's write lock.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { Json } from '../../../machines/types.js';
import type { Hive } from '../../createHive.js';
import { isHiveError, ValidationError } from '../../errors.js';
import type { TaskSpec } from '../../specs.js';
import { controlSocketPath } from './controlSocketPath.js';
import type { ControlRequest, ControlResponse } from './controlProtocol.js';

const maxRequestBytes = 1 << 20;

/**
 * Serves post and cancel requests for `hive` until the returned function is called. Requests are
 * validated by the hive exactly as API calls are; errors go back to the caller as `{ code, message }`.
 * @example const stop = await serveControl(hive, './.hivestate'); ...; await stop()
 */
export async function serveControl(hive: Hive, dataDir: string): Promise<() => Promise<void>> {
  const path = controlSocketPath(dataDir);
  // We hold the directory's write lock, so a socket left here belongs to a dead writer.
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > maxRequestBytes) return void socket.end(reply({ ok: false, error: { code: 'invalid_input', message: 'request too large' } }));
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      void handle(hive, buf.slice(0, nl)).then((res) => socket.end(reply(res)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      rmSync(path, { force: true });
    });
}

const reply = (r: ControlResponse) => `${JSON.stringify(r)}\n`;

async function handle(hive: Hive, line: string): Promise<ControlResponse> {
  try {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
    } catch {
      throw new ValidationError('request', 'is not JSON');
    }
    if (req?.op === 'post') return { ok: true, result: (await hive.postTask(req.task as unknown as TaskSpec)) as unknown as Json };
    if (req?.op === 'cancel') return { ok: true, result: (await hive.cancelTask(req.taskId, req.by === undefined ? {} : { by: req.by })) as unknown as Json };
    if (req?.op === 'retry') return { ok: true, result: (await hive.retryTask(req.taskId, req.by === undefined ? {} : { by: req.by })) as unknown as Json };
    if (req?.op === 'signal') return { ok: true, result: (await hive.signal(req.taskId, req.name, req.value)) as unknown as Json };
    throw new ValidationError('op', `must be 'post', 'cancel', 'retry' or 'signal'`);
  } catch (err) {
    return { ok: false, error: { code: isHiveError(err) ? err.code : 'internal', message: (err as Error)?.message ?? String(err) } };
  }
}
