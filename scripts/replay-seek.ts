/**
 * @module replay-seek: measures replay seek time on a generated journal (default 1,000,000 inputs).
 * Generates a realistic run with the real kernel (agents, batches of tasks, progress, failures,
 * retries fired by durable timers), writes it to a fresh data directory, then opens a replay on it:
 * reports the seek-point build time, the median and p95 of random seeks, and memory.
 * Usage: npm run replay-seek -- [inputs=1000000] [seekEvery=2000] [seeks=40]   (REPLAY_SEEK_DIR=dir keeps and reuses the data)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualClock } from '../src/clock.js';
import { Kernel } from '../src/kernel/Kernel.js';
import type { JournalRecord } from '../src/kernel/inputs.js';
import { HiveStore } from '../src/store/HiveStore.js';
import { MemoryStore } from '../src/replay/MemoryStore.js';
import { openReplay } from '../src/replay/Replay.js';

const total = Number(process.argv[2] ?? 1_000_000);
const seekEvery = Number(process.argv[3] ?? 2000);
const seeks = Number(process.argv[4] ?? 40);
const mb = (n: number) => Math.round(n / 1e6);

/** A generator store: the kernel journals into an array. */
class ArrayStore extends MemoryStore {
  readonly records: JournalRecord[] = [];
  constructor() {
    super({ records: () => [] });
  }
  override async append(r?: JournalRecord): Promise<void> {
    if (r) this.records.push(r);
  }
}

async function generate(): Promise<JournalRecord[]> {
  const store = new ArrayStore();
  const clock = new ManualClock(1_700_000_000_000);
  const pending: Array<{ taskId: string; attempt: number }> = [];
  const kernel = new Kernel({
    store,
    clock,
    logger: pino({ level: 'silent' }),
    effects: { execute: (r) => void pending.push(r), verify: () => undefined, abort: () => undefined },
    checkpointEvery: 10_000,
    checkpointMs: Infinity,
  });
  kernel.recover();
  const agents = 50;
  for (let i = 0; i < agents; i++) {
    await kernel.submit({
      type: 'agent.spawn',
      agent: { id: `a${i}`, name: `a${i}`, capabilities: ['work'], priority: 'normal', maxConcurrent: 4, level: 1, failureThreshold: 1000 } as never,
    });
  }
  let n = 0;
  while (store.records.length < total) {
    const tasks = Array.from({ length: 10 }, () => ({
      id: `t${n++}`,
      type: 'work',
      input: n,
      priority: 0,
      dependsOn: [],
      maxRetries: 2,
      backoffMs: 1000,
      verify: false,
    }));
    await kernel.submit({ type: 'task.post', tasks });
    const work = pending.splice(0);
    await Promise.all(
      work.map(async (w, i) => {
        if (i % 3 === 0) await kernel.submit({ type: 'attempt.progress', taskId: w.taskId, attempt: w.attempt, pct: 50 });
        if (w.attempt === 1 && Number(w.taskId.slice(1)) % 10 === 0)
          await kernel.submit({ type: 'attempt.failed', taskId: w.taskId, attempt: w.attempt, error: { code: 'E', message: 'flaky' } });
        else await kernel.submit({ type: 'attempt.succeeded', taskId: w.taskId, attempt: w.attempt, output: 'ok' });
      }),
    );
    clock.advance(2000); // retry timers fire as journaled timer.fired inputs
    await new Promise((r) => setImmediate(r));
  }
  await kernel.close();
  return store.records.slice(0, total);
}

async function main(): Promise<void> {
  // REPLAY_SEEK_DIR keeps (and reuses) the generated data directory between runs.
  const keep = process.env.REPLAY_SEEK_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'replay-seek-'));
  try {
    let genMs = 0;
    let writeMs = 0;
    const kinds: Record<string, number> = {};
    const existing = keep && existsSync(join(keep, 'hive.lmdb')) ? HiveStore.open(keep, { readOnly: true }) : undefined;
    const reuse = existing !== undefined && existing.lastSeq() === total;
    await existing?.close();
    if (!reuse) {
      let t = performance.now();
      const journal = await generate();
      genMs = performance.now() - t;
      t = performance.now();
      const hs = HiveStore.open(dir);
      for (let i = 0; i < journal.length; i += 20_000) await Promise.all(journal.slice(i, i + 20_000).map((r) => hs.append(r)));
      await hs.close();
      writeMs = performance.now() - t;
      for (const r of journal) kinds[r.input.type] = (kinds[r.input.type] ?? 0) + 1;
      journal.length = 0;
    }
    global.gc?.();

    const t = performance.now();
    const replay = await openReplay(dir, { seekEvery });
    await replay.seek(replay.lastSeq);
    const buildMs = performance.now() - t;
    global.gc?.();
    const mem = process.memoryUsage();
    const times: number[] = [];
    let x = 12345;
    for (let i = 0; i < seeks; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const target = 1 + (x % replay.lastSeq);
      const s = performance.now();
      await replay.seek(target);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    const p95 = times[Math.floor(times.length * 0.95)]!;
    const last = replay.lastSeq;
    const live = replay.actors().length;
    await replay.close();
    console.log(`journal: ${last} inputs ${reuse ? `(reused ${dir})` : JSON.stringify(kinds)}`);
    if (!reuse) console.log(`generate ${(genMs / 1000).toFixed(1)} s, write to LMDB ${(writeMs / 1000).toFixed(1)} s`);
    console.log(`seek points every ${seekEvery} inputs: build (one pass over the journal) ${(buildMs / 1000).toFixed(1)} s`);
    console.log(`seek (${seeks} random targets): median ${median.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${times[times.length - 1]!.toFixed(0)} ms`);
    console.log(`memory after build: rss ${mb(mem.rss)} MB, heap used ${mb(mem.heapUsed)} MB; actors at the last point ${live}`);
    console.log(
      JSON.stringify({
        inputs: last,
        seekEvery,
        buildMs: Math.round(buildMs),
        seekMedianMs: Math.round(median),
        seekP95Ms: Math.round(p95),
        rssMB: mb(mem.rss),
        heapUsedMB: mb(mem.heapUsed),
      }),
    );
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
