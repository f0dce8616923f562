/**
 * @module throughputRun: one throughput run in a fresh process (throughput.ts starts one per system
 * per run): raw XState lifecycles, hivestate end to end (this checkout's or a baseline's, by its
 * entry point), or BullMQ on a Redis it starts. After a warm-up, prints `@result {"perSec": n}`.
 * Usage: node --expose-gc --import tsx scripts/bench/throughputRun.ts --system hive [--entry path/to/src/index.ts] [--tasks N] [--agents A] [--warmup W]
 *        ... --system bullmq --redis off|everysec|always; ... --system xstate
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RedisPersistence } from './bullmqWorkload.js';
import { numberArg } from './options.js';
import { resultPrefix } from './report.js';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? fallback : process.argv[i + 1];
  if (v === undefined) throw new Error(`throughputRun: --${name} is required`);
  return v;
}

const tasks = numberArg('tasks');
const agents = numberArg('agents');
const warmup = Number(arg('warmup', '0'));

async function measure(system: string): Promise<number> {
  // Each system loads only its own modules, so no run carries another's code in its heap.
  if (system === 'xstate') {
    const { xstateLifecyclesPerSecond } = await import('./rawXstate.js');
    xstateLifecyclesPerSecond(Math.max(warmup, 5_000));
    return xstateLifecyclesPerSecond(tasks);
  }
  if (system === 'hive') {
    const entry = arg('entry', join(import.meta.dirname, '..', '..', 'src', 'index.ts'));
    const { createHive } = (await import(pathToFileURL(entry).href)) as typeof import('../../src/index.js');
    const { runHiveWorkload } = await import('./hiveWorkload.js');
    if (warmup > 0) await runHiveWorkload(createHive, { tasks: warmup, agents });
    (globalThis as { gc?: () => void }).gc?.();
    return (await runHiveWorkload(createHive, { tasks, agents })).tasksPerSec;
  }
  if (system === 'bullmq') {
    const { findRedisServer, redisPersistences, runBullmqWorkload, startRedis } = await import('./bullmqWorkload.js');
    const persistence = arg('redis', 'off') as RedisPersistence;
    if (!redisPersistences.includes(persistence)) throw new Error(`throughputRun: --redis must be one of ${redisPersistences.join(', ')}; got ${persistence}`);
    const bin = findRedisServer();
    if (!bin) throw new Error('throughputRun: redis-server is not installed');
    const redis = await startRedis(bin, persistence);
    try {
      if (warmup > 0) await runBullmqWorkload(redis.port, { tasks: warmup, workers: agents });
      return await runBullmqWorkload(redis.port, { tasks, workers: agents });
    } finally {
      await redis.stop();
    }
  }
  throw new Error(`throughputRun: --system must be xstate, hive or bullmq; got ${system}`);
}

const perSec = await measure(arg('system'));
// Exit once written: a handle a library leaves open must not stall the run.
process.stdout.write(`${resultPrefix}${JSON.stringify({ perSec })}\n`, () => process.exit(0));
