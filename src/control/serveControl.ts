/**
 * @module serveControl: a local control channel (a Unix socket only this user can connect to)
 * through which `hivestate post` and `cancel` reach the process that holds a data directory's
 * write lock. Opened by `createHive({ control: true })`.
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { Hive } from '../createHive.js';
import { isHiveError, ValidationError } from '../errors.js';
import { applyControl } from './controlOps.js';
import { controlSocketPath } from './controlSocketPath.js';
import type { ControlRequest, ControlResponse } from './controlProtocol.js';

const maxRequestBytes = 1 << 20;

/**
 * Serves control requests for `hive` until the returned function is called. Requests are
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
  // Connecting to a Unix socket needs write permission on it: only this user may send commands.
  chmodSync(path, 0o600);
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
    return { ok: true, result: await applyControl(hive, req) };
  } catch (err) {
    return { ok: false, error: { code: isHiveError(err) ? err.code : 'internal', message: (err as Error)?.message ?? String(err) } };
  }
}
