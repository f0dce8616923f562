/**
 * @module Test helper: the fixture worker (test/fixtures/remoteWorker.ts, one agent) in a child
 * process, resolved once it registered with the hive; every one started is killed after its test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const p of started.splice(0)) p.kill('SIGKILL');
});

/**
 * Starts agent `id` on `prefix`; `env` passes the fixture's switches (HIVE_BID), `sideDir` its record files.
 * @example const p = await startFixtureWorker({ natsUrl: nats.url, prefix, id: 'w1' })
 */
export function startFixtureWorker(o: {
  natsUrl: string;
  prefix: string;
  id: string;
  maxConcurrent?: number;
  sideDir?: string;
  env?: Record<string, string>;
}): Promise<ChildProcess> {
  const args = [join(import.meta.dirname, 'fixtures', 'remoteWorker.ts'), o.natsUrl, o.id, String(o.maxConcurrent ?? 1), ...(o.sideDir ? [o.sideDir] : [])];
  const p = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HIVE_PREFIX: o.prefix, ...o.env },
  });
  started.push(p);
  return new Promise((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(p));
    p.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}
