/**
 * @module Benchmark: end-to-end throughput. hivestate (durable: post -> assign -> no-op handler ->
 * complete, every input journaled in LMDB) for --tasks tasks with --agents agents, against raw XState
 * lifecycles and against BullMQ on a local Redis 7 (same workload), all measured in this run.
 * Usage: npx tsx scripts/bench/throughput.ts [--tasks 100000] [--agents 8] [--runs 3]
 */
import { findRedisServer, runBullmqWorkload, startRedis } from './bullmqWorkload.js';
import { runHiveWorkload } from './hiveWorkload.js';
import { xstateLifecyclesPerSecond } from './rawXstate.js';
import { median, numberArg, repeat, report, type Figure } from './report.js';

const tasks = numberArg('tasks', 100_000);
const agents = numberArg('agents', 8);
const runs = numberArg('runs', 3);

xstateLifecyclesPerSecond(5_000);
const raw = await repeat(runs, () => xstateLifecyclesPerSecond(tasks));
const hive = await repeat(runs, async (i) => {
  const r = await runHiveWorkload({ tasks, agents });
  process.stderr.write(`  hivestate run ${i + 1}/${runs}: ${Math.round(r.tasksPerSec)} tasks/s\n`);
  return r.tasksPerSec;
});
const figures: Figure[] = [
  { bench: 'throughput', figure: 'raw XState lifecycle', value: median(raw), unit: 'tasks/s', runs: raw },
  { bench: 'throughput', figure: `hivestate durable e2e (${tasks} tasks, ${agents} agents)`, value: median(hive), unit: 'tasks/s', runs: hive },
  { bench: 'throughput', figure: 'hivestate / raw XState', value: median(hive) / median(raw), unit: 'x', target: { op: '>=', value: 0.5 } },
];
const bin = findRedisServer();
if (!bin) {
  console.log('bullmq: skipped: redis-server is not installed (Debian/Ubuntu: sudo apt-get install redis-server)');
} else {
  const redis = await startRedis(bin);
  try {
    const bull = await repeat(runs, async (i) => {
      const r = await runBullmqWorkload(redis.port, { tasks, workers: agents });
      process.stderr.write(`  bullmq run ${i + 1}/${runs}: ${Math.round(r)} tasks/s\n`);
      return r;
    });
    figures.push(
      { bench: 'throughput', figure: `BullMQ + Redis (${tasks} jobs, ${agents} workers x4)`, value: median(bull), unit: 'tasks/s', runs: bull },
      { bench: 'throughput', figure: 'hivestate / BullMQ', value: median(hive) / median(bull), unit: 'x', target: { op: '>=', value: 3 } },
    );
  } finally {
    await redis.stop();
  }
}
report(figures);
