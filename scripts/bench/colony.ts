/**
 * @module Benchmark: one colony fans out `--colony-workers` workers (one spawnBatch) and fans them
 * back in (waitForReports), durable end to end: the time from spawn to the last report, workers
 * per second, and the heap each finished (retained) worker costs. Medians over --runs runs.
 * Usage: npx tsx scripts/bench/colony.ts [--colony-workers 1000] [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHive } from '../../src/index.js';
import { numberArg } from './options.js';
import { median, repeat, report } from './report.js';

const workers = numberArg('colony-workers');
const runs = numberArg('runs');
/** Slots: enough that the fan-in is bounded by commits, not by the cap. */
const maxConcurrentWorkers = 64;

const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function oneRun(): Promise<{ ms: number; perSecond: number; heapPerWorker: number; rssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-colony-'));
  try {
    const hive = await createHive({ dataDir: dir, logger: pino({ level: 'silent' }) });
    const colony = await hive.spawnColony({ name: 'bench', maxConcurrentWorkers, handler: async (job) => ({ n: job.input }) });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const ids = await colony.spawnBatch(Array.from({ length: workers }, (_, i) => ({ task: 'echo', input: i })));
    const reports = await colony.waitForReports(ids, { timeoutMs: 600_000 });
    const ms = performance.now() - t0;
    const bad = reports.filter((r, i) => r.status !== 'success' || (r.output as { n: number }).n !== i).length;
    if (bad > 0) throw new Error(`${bad} of ${workers} workers did not report their own output`);
    gc();
    const heapPerWorker = (process.memoryUsage().heapUsed - heapBefore) / workers;
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    await hive.close();
    return { ms, perSecond: (workers / ms) * 1000, heapPerWorker, rssMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const r = await repeat(runs, oneRun);
report([
  {
    bench: 'colony',
    figure: `fan-out + fan-in of ${workers} workers`,
    value: median(r.map((x) => x.ms)),
    unit: 'ms',
    runs: r.map((x) => x.ms),
    note: `maxConcurrentWorkers ${maxConcurrentWorkers}, durable`,
  },
  { bench: 'colony', figure: 'workers reported per second', value: median(r.map((x) => x.perSecond)), unit: 'workers/s', runs: r.map((x) => x.perSecond) },
  {
    bench: 'colony',
    figure: 'heap per finished (retained) worker',
    value: median(r.map((x) => x.heapPerWorker)),
    unit: 'bytes',
    runs: r.map((x) => x.heapPerWorker),
  },
  { bench: 'colony', figure: 'RSS after the fan-in', value: median(r.map((x) => x.rssMb)), unit: 'MiB', runs: r.map((x) => x.rssMb) },
]);
