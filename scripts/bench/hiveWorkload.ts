/**
 * @module hiveWorkload: the end-to-end hivestate workload (post -> assign -> no-op handler ->
 * complete, durable), run against whichever hivestate's `createHive` it is given (this checkout's,
 * or a baseline commit's checked out elsewhere), so both are driven by the same workload code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { createHive } from '../../src/index.js';

export interface HiveRun {
  tasksPerSec: number;
  ms: number;
  rssMB: number;
}

/**
 * Posts `tasks` no-op tasks in batches of 1000 to a fresh hive with `agents` agents (4 slots each)
 * and waits for every completion. Every input is journaled in LMDB before it is applied.
 * Only the public API that every version since the benchmarks were added has is used.
 * @example const { tasksPerSec } = await runHiveWorkload(createHive, { tasks: 100_000, agents: 8 })
 */
export async function runHiveWorkload(create: typeof createHive, o: { tasks: number; agents: number; batch?: number; keepDir?: string }): Promise<HiveRun> {
  const dir = o.keepDir ?? mkdtempSync(join(tmpdir(), 'hive-bench-'));
  const batch = o.batch ?? 1000;
  try {
    const hive = await create({ dataDir: dir, handlers: { noop: async () => null }, logger: pino({ level: 'silent' }) });
    for (let i = 0; i < o.agents; i++) await hive.spawnAgent({ id: `agent-${i}`, name: `worker ${i}`, capabilities: ['noop'], maxConcurrent: 4 });
    let done = 0;
    const finished = new Promise<void>((resolve) => hive.on('task.completed', () => ++done === o.tasks && resolve()));
    const t0 = performance.now();
    const posts: Promise<unknown>[] = [];
    for (let i = 0; i < o.tasks; i += batch) {
      posts.push(hive.postTasks(Array.from({ length: Math.min(batch, o.tasks - i) }, (_, j) => ({ id: `t${i + j}`, type: 'noop', input: null }))));
      if (posts.length >= 8) await posts.shift();
    }
    await Promise.all(posts);
    await finished;
    const ms = performance.now() - t0;
    await hive.close();
    return { tasksPerSec: o.tasks / (ms / 1000), ms, rssMB: process.memoryUsage().rss / 2 ** 20 };
  } finally {
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}
