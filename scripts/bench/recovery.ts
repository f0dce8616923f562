/**
 * @module Benchmark: recovery and memory. Builds a directory with --live-tasks live (pending) tasks and
 * --live-agents agents, closes it, then times createHive on it (restore the checkpoint + replay) and
 * measures heap per live actor after recovery (passivated until their first message: an informational
 * figure; heap.ts measures hosted ones). Run with --expose-gc for exact heap figures.
 * Usage: node --expose-gc --import tsx scripts/bench/recovery.ts [--live-tasks 100000] [--live-agents 1000] [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHive } from '../../src/index.js';
import { numberArg } from './options.js';
import { median, repeat, report } from './report.js';

const tasks = numberArg('live-tasks');
const agents = numberArg('live-agents');
const runs = numberArg('runs');
const logger = pino({ level: 'silent' });
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('note: run with node --expose-gc for exact heap figures');
const collect = () => {
  for (let i = 0; i < 3; i++) gc?.();
};

const dir = mkdtempSync(join(tmpdir(), 'hive-bench-rec-'));
try {
  const setupStart = performance.now();
  const hive = await createHive({ dataDir: dir, logger });
  // Agents able to run a type that no task has, so every task stays pending (live) in memory.
  for (let i = 0; i < agents; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, agents - i) }, (_, j) => hive.spawnAgent({ id: `agent-${i + j}`, name: `agent ${i + j}`, capabilities: ['other'] })),
    );
  }
  for (let i = 0; i < tasks; i += 1000) {
    await hive.postTasks(Array.from({ length: Math.min(1000, tasks - i) }, (_, j) => ({ id: `t${i + j}`, type: 'queued', input: { n: i + j } })));
  }
  await hive.close();
  process.stderr.write(`  set up ${tasks} live tasks and ${agents} agents in ${Math.round(performance.now() - setupStart)} ms\n`);

  const results = await repeat(runs, async () => {
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const h = await createHive({ dataDir: dir, logger });
    const ms = performance.now() - t0;
    collect();
    const heapAfter = process.memoryUsage().heapUsed;
    const s = await h.status();
    if (s.liveTasks !== tasks || s.agents.total !== agents) throw new Error(`recovered ${s.liveTasks} tasks and ${s.agents.total} agents`);
    await h.close();
    return { ms, perActor: (heapAfter - heapBefore) / (tasks + agents) };
  });
  report([
    {
      bench: 'recovery',
      figure: `recovery time (${tasks} live tasks + ${agents} agents)`,
      value: median(results.map((r) => r.ms)) / 1000,
      unit: 's',
      target: { op: '<=', value: 1.5 },
      runs: results.map((r) => r.ms / 1000),
    },
    // Informational: restored tasks stay passivated (snapshots) until a message hosts them; the
    // target for hosted tasks is the heap bench's.
    {
      bench: 'recovery',
      figure: 'heap per live actor after recovery (passivated)',
      value: median(results.map((r) => r.perActor)) / 1024,
      unit: 'KB',
      runs: results.map((r) => r.perActor / 1024),
    },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
