/**
 * @module Benchmark: latency of one task, post -> complete, on an idle hive (one agent, no-op
 * handler, tasks posted one at a time). p50 and p99 per run; medians over --runs runs.
 * Usage: npx tsx scripts/bench/latency.ts [--samples 2000] [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHive } from '../../src/index.js';
import { numberArg } from './options.js';
import { median, percentile, repeat, report } from './report.js';

const samples = numberArg('samples');
const runs = numberArg('runs');

async function oneRun(): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-lat-'));
  try {
    const hive = await createHive({ dataDir: dir, handlers: { noop: async () => null }, logger: pino({ level: 'silent' }) });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['noop'] });
    const waiting = new Map<string, () => void>();
    hive.on('task.completed', (e) => waiting.get(String(e.taskId))?.());
    const times: number[] = [];
    const warmup = Math.min(200, samples);
    for (let i = 0; i < samples + warmup; i++) {
      const id = `t${i}`;
      const done = new Promise<void>((r) => waiting.set(id, r));
      const t0 = performance.now();
      await hive.postTask({ id, type: 'noop' });
      await done;
      if (i >= warmup) times.push(performance.now() - t0);
      waiting.delete(id);
    }
    await hive.close();
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const r = await repeat(runs, oneRun);
report([
  {
    bench: 'latency',
    figure: 'post -> complete p50 (idle)',
    value: median(r.map((x) => x.p50)),
    unit: 'ms',
    target: { op: '<=', value: 2 },
    runs: r.map((x) => x.p50),
  },
  {
    bench: 'latency',
    figure: 'post -> complete p99 (idle)',
    value: median(r.map((x) => x.p99)),
    unit: 'ms',
    target: { op: '<=', value: 10 },
    runs: r.map((x) => x.p99),
  },
]);
