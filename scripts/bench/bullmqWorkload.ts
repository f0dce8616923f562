/**
 * @module bullmqWorkload: the same workload on BullMQ with a local Redis (what a user would pick
 * instead): a redis-server started on 127.0.0.1 on a free port in a temp dir, without persistence
 * or with an append-only file synced every second or on every write.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';

/** The redis-server binary, or undefined (with the reason) when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) if (existsSync(p)) return p;
  const r = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface Redis {
  port: number;
  stop(): Promise<void>;
}

/** How Redis persists: not at all (its ceiling), or an append-only file fsynced every second or before every reply. */
export type RedisPersistence = 'off' | 'everysec' | 'always';
export const redisPersistences: readonly RedisPersistence[] = ['off', 'everysec', 'always'];

/** The redis-server options for each persistence; RDB snapshots stay off in all, so only the AOF differs. */
export const redisPersistenceArgs: Record<RedisPersistence, string[]> = {
  off: ['--save', '', '--appendonly', 'no'],
  everysec: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
  always: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
};

/**
 * Starts redis-server on 127.0.0.1 on a free port in a temp directory (removed on stop).
 * @example const redis = await startRedis('/usr/bin/redis-server', 'everysec'); ...; await redis.stop()
 */
export async function startRedis(bin: string, persistence: RedisPersistence = 'off'): Promise<Redis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-redis-'));
  const child: ChildProcess = spawn(bin, ['--bind', '127.0.0.1', '--port', String(port), ...redisPersistenceArgs[persistence], '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return {
    port,
    stop: async () => {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Adds `tasks` no-op jobs in bulks of 1000 and runs them with `workers` workers of concurrency 4,
 * resolving with jobs per second once all completed.
 * @example const perSec = await runBullmqWorkload(redis.port, { tasks: 100_000, workers: 8 })
 */
export async function runBullmqWorkload(port: number, o: { tasks: number; workers: number; batch?: number }): Promise<number> {
  const connection = { host: '127.0.0.1', port };
  const name = `bench-${Date.now()}`;
  const queue = new Queue(name, { connection });
  const batch = o.batch ?? 1000;
  let done = 0;
  let resolveDone!: () => void;
  const finished = new Promise<void>((r) => (resolveDone = r));
  const workers = Array.from({ length: o.workers }, () => {
    const w = new Worker(name, async () => null, { connection, concurrency: 4, autorun: true });
    w.on('completed', () => ++done === o.tasks && resolveDone());
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const t0 = performance.now();
  const adds: Promise<unknown>[] = [];
  for (let i = 0; i < o.tasks; i += batch) {
    adds.push(queue.addBulk(Array.from({ length: Math.min(batch, o.tasks - i) }, (_, j) => ({ name: 'noop', data: null, opts: { jobId: `t${i + j}` } }))));
    if (adds.length >= 8) await adds.shift();
  }
  await Promise.all(adds);
  await finished;
  const perSec = o.tasks / ((performance.now() - t0) / 1000);
  await Promise.all(workers.map((w) => w.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  return perSec;
}
