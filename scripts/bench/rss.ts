/**
 * @module Benchmark: resident memory after --rss-tasks (default 1,000,000) finished tasks: the
 * end-to-end workload run to completion, then RSS after a GC while the hive is still open.
 * With --rss-prune-every N the hive prunes finished tasks and compacts the journal every N
 * completions (retention configured for a long run), which bounds the data file and so the mapped pages.
 * Usage: node --expose-gc --import tsx scripts/bench/rss.ts [--rss-tasks 1000000] [--agents 8] [--rss-prune-every 100000]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHive } from '../../src/index.js';
import { numberArg } from './options.js';
import { report } from './report.js';

const tasks = numberArg('rss-tasks');

/** Resident memory split into anonymous (heap, native allocations) and file-backed (LMDB's memory map) pages, in MB (Linux). */
function rssSplit(): { anonMB: number; fileMB: number } | undefined {
  if (!existsSync('/proc/self/smaps_rollup')) return undefined;
  const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { anonMB: kb('Anonymous') / 1024, fileMB: (kb('Rss') - kb('Anonymous')) / 1024 };
}
const agents = numberArg('agents');
const pruneEvery = numberArg('rss-prune-every');
const dir = mkdtempSync(join(tmpdir(), 'hive-bench-rss-'));
try {
  const hive = await createHive({ dataDir: dir, handlers: { noop: async () => null }, logger: pino({ level: 'silent' }), retentionMs: 0 });
  for (let i = 0; i < agents; i++) await hive.spawnAgent({ id: `agent-${i}`, name: `worker ${i}`, capabilities: ['noop'], maxConcurrent: 4 });
  let done = 0;
  const finished = new Promise<void>((resolve) => hive.on('task.completed', () => ++done === tasks && resolve()));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const progress = setInterval(() => process.stderr.write(`  ${done}/${tasks} completed\n`), 10_000);
  const t0 = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < tasks; i += 1000) {
    posts.push(hive.postTasks(Array.from({ length: Math.min(1000, tasks - i) }, (_, j) => ({ id: `t${i + j}`, type: 'noop', input: null }))));
    // Keep the backlog bounded: a real producer would not hold a million unfinished tasks either.
    while (i - done > 50_000) await new Promise((r) => setTimeout(r, 20));
    if (posts.length >= 8) await posts.shift();
    if (pruneEvery > 0 && (i + 1000) % pruneEvery === 0) await hive.prune({ compactJournal: true });
  }
  await Promise.all(posts);
  await finished;
  const ms = performance.now() - t0;
  clearInterval(progress);
  if (pruneEvery > 0) await hive.prune({ compactJournal: true });
  await hive.checkpoint();
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  clearInterval(sampler);
  const { rss, heapUsed } = process.memoryUsage();
  const split = rssSplit();
  const s = await hive.status();
  await hive.close();
  const dataMB = statSync(join(dir, 'hive.lmdb')).size / 2 ** 20;
  report([
    {
      bench: 'rss',
      figure: `RSS after ${tasks} finished tasks (hive open${pruneEvery > 0 ? `, pruned every ${pruneEvery}` : ''})`,
      value: rss / 2 ** 20,
      unit: 'MB',
      target: { op: '<=', value: 400 },
      note: `peak ${Math.round(Math.max(peak, rss) / 2 ** 20)} MB, live tasks ${s.liveTasks}`,
    },
    ...(split
      ? [
          { bench: 'rss', figure: 'of which anonymous (heap + native)', value: split.anonMB, unit: 'MB' },
          { bench: 'rss', figure: "of which file-backed (LMDB's memory map)", value: split.fileMB, unit: 'MB' },
        ]
      : []),
    { bench: 'rss', figure: 'JS heap used after GC', value: heapUsed / 2 ** 20, unit: 'MB' },
    { bench: 'rss', figure: 'LMDB data file size', value: dataMB, unit: 'MB' },
    { bench: 'rss', figure: `throughput over the ${tasks}-task run`, value: tasks / (ms / 1000), unit: 'tasks/s' },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
