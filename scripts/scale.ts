/**
 * @module Scale run: posts N tasks (default 100,000) to one hive with 8 agents and a no-op handler,
 * runs them all to completion, and prints the time, throughput and peak RSS.
 * Usage: npm run scale -- [--tasks N] [--agents A] [--batch B]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHive } from '../src/index.js';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '100000' }, agents: { type: 'string', default: '8' }, batch: { type: 'string', default: '1000' } },
});
const total = Number(values.tasks);
const agents = Number(values.agents);
const batch = Number(values.batch);
const dir = mkdtempSync(join(tmpdir(), 'hive-scale-'));
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
}, 50);
try {
  const hive = await createHive({ dataDir: dir, handlers: { noop: async () => null } });
  for (let i = 0; i < agents; i++) await hive.spawnAgent({ id: `agent-${i}`, name: `worker ${i}`, capabilities: ['noop'], maxConcurrent: 4 });
  let done = 0;
  const finished = new Promise<void>((resolve) => hive.on('task.completed', () => ++done === total && resolve()));
  const t0 = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < total; i += batch) {
    posts.push(hive.postTasks(Array.from({ length: Math.min(batch, total - i) }, (_, j) => ({ id: `t${i + j}`, type: 'noop', input: i + j }))));
    if (posts.length >= 8) await posts.shift();
  }
  await Promise.all(posts);
  const posted = performance.now() - t0;
  const progress = setInterval(() => process.stderr.write(`  ${done}/${total} completed\n`), 2000);
  await finished;
  clearInterval(progress);
  const elapsed = performance.now() - t0;
  const status = await hive.status();
  await hive.close();
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const result = {
    tasks: total,
    agents,
    postMs: Math.round(posted),
    totalMs: Math.round(elapsed),
    tasksPerSec: Math.round(total / (elapsed / 1000)),
    peakRssMB: Math.round(peakRss / 2 ** 20),
    peakHeapMB: Math.round(peakHeap / 2 ** 20),
    completed: status.tasks.completed ?? 0,
  };
  console.table(result);
  console.log(JSON.stringify({ bench: 'scale', ...result }));
  if (result.completed !== total) process.exitCode = 1;
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
