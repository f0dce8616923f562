/**
 * @module Benchmark: heap per hosted live task. Posts --hosted-tasks tasks that no agent can run
 * into a live hive (so each stays pending with its actor hosted, unlike the passivated ones
 * recovery measures) and divides the heap growth, after GC, by their number. Medians of --runs runs.
 * Usage: node --expose-gc --import tsx scripts/bench/heap.ts [--hosted-tasks 100000] [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHive } from '../../src/index.js';
import { numberArg } from './options.js';
import { median, repeat, report } from './report.js';

const tasks = numberArg('hosted-tasks');
const runs = numberArg('runs');
const logger = pino({ level: 'silent' });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('heap.ts needs node --expose-gc (npm run bench passes it)');
const collect = () => {
  for (let i = 0; i < 3; i++) gc();
};

async function oneRun(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-heap-'));
  try {
    const hive = await createHive({ dataDir: dir, logger });
    // Agents that cannot run the tasks: every post goes through assignment and the task stays pending.
    for (let i = 0; i < 8; i++) await hive.spawnAgent({ id: `agent-${i}`, name: `agent ${i}`, capabilities: ['other'] });
    // A checkpoint on both sides, so neither measurement holds one half-written.
    await hive.checkpoint();
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < tasks; i += 1000) {
      await hive.postTasks(Array.from({ length: Math.min(1000, tasks - i) }, (_, j) => ({ id: `t${i + j}`, type: 'queued', input: { n: i + j } })));
    }
    await hive.checkpoint();
    collect();
    const after = process.memoryUsage().heapUsed;
    const s = await hive.status();
    if (s.liveTasks !== tasks) throw new Error(`expected ${tasks} live tasks, found ${s.liveTasks}`);
    await hive.close();
    return (after - before) / tasks;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const perTask = await repeat(runs, oneRun);
report([
  {
    bench: 'heap',
    figure: `heap per hosted live task (${tasks} pending)`,
    value: median(perTask) / 1024,
    unit: 'KB',
    target: { op: '<=', value: 2 },
    runs: perTask.map((b) => b / 1024),
  },
]);
