/**
 * @module replay-seek: time travel on a long run written by a live hive (default 1,000,000 inputs).
 * A child process runs a real hive (createHive, in-process handlers: progress reports, failures
 * and retries fired by durable timers, dependencies, one agent that gets a task now and then) until
 * its journal has that many inputs. This process then opens a replay on the directory and reports
 * against the targets: openReplay + the first seek <= 1 s, later seeks <= 200 ms median, RSS < 500
 * MB, the seek data <= 25% of the journal's size, an actor's history with >= 1,000 changes <= 100 ms,
 * and what prune({ compactJournal: true }) leaves of the seek data.
 * Usage: npm run replay-seek -- [inputs=1000000] [seeks=40]   (REPLAY_SEEK_DIR=dir keeps and reuses the run)
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHive } from '../src/createHive.js';
import { isHiveError } from '../src/errors.js';
import { openReplay } from '../src/replay/Replay.js';
import { HiveStore } from '../src/store/HiveStore.js';

const mb = (n: number) => (n / 2 ** 20).toFixed(1);
const specialEvery = 1200;

/** The child: a live hive that works until its journal has `total` inputs. */
async function generate(dir: string, total: number): Promise<void> {
  let n = 0;
  const hive = await createHive({
    dataDir: dir,
    logger: pino({ level: 'silent' }),
    handlers: {
      work: async (task, ctx) => {
        const i = task.input as number;
        if (i % 3 === 0) await ctx.progress(50);
        if (ctx.attempt === 1 && i % 10 === 0) throw new Error('flaky');
        return 'ok';
      },
      special: async () => 'special',
    },
  });
  for (let i = 0; i < 50; i++) await hive.spawnAgent({ id: `a${i}`, name: `worker ${i}`, capabilities: ['work'], maxConcurrent: 4 });
  await hive.spawnAgent({ id: 'special', name: 'the rare one', capabilities: ['special'] });
  const status = async () => (await hive.status()).lastSeq;
  // waitForTask can miss a task that settles between its first look and its subscription; look again.
  const settled = async (id: string): Promise<void> => {
    for (;;) {
      try {
        await hive.waitForTask(id, { timeoutMs: 2000 });
        return;
      } catch (err) {
        if (!isHiveError(err, 'wait_timeout')) throw err;
      }
    }
  };
  const loop = async () => {
    while ((await status()) < total) {
      const b = n;
      const specs = Array.from({ length: 10 }, (_, k) => {
        const i = b + k;
        const type = i % specialEvery === 0 ? 'special' : 'work';
        return { id: `t${i}`, type, input: i, maxRetries: 2, backoffMs: 5, ...(k > 0 && b % 50 === 0 ? { dependsOn: [`t${i - 1}`] } : {}) };
      });
      n += 10;
      const tasks = await hive.postTasks(specs);
      await Promise.all(tasks.map((t) => settled(t.id)));
    }
  };
  let last = 0;
  const report = setInterval(() => {
    void status().then((s) => {
      process.stderr.write(`  generating: ${s} inputs (${Math.round((s - last) / 5)}/s)\n`);
      last = s;
    });
  }, 5000);
  await Promise.all(Array.from({ length: 20 }, loop));
  clearInterval(report);
  await hive.close();
}

function runChild(dir: string, total: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--generate', dir, String(total)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generator exited with ${code}`)))));
}

async function sizes(dir: string): Promise<{ journal: number; seek: number; history: number; retired: number; lastSeq: number }> {
  const store = HiveStore.open(dir, { readOnly: true, sumActors: false });
  try {
    return { journal: store.journalBytes(), ...store.seek.sizes(), lastSeq: store.lastSeq() };
  } finally {
    await store.close();
  }
}

async function measure(dir: string, seeks: number): Promise<void> {
  const before = await sizes(dir);
  const seekBytes = before.seek + before.history + before.retired;
  global.gc?.();
  let x = 12345;
  const random = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 1 + (x % n);
  };
  let rss = process.memoryUsage().rss;
  const t0 = performance.now();
  const replay = await openReplay(dir);
  await replay.seek(random(replay.lastSeq));
  const firstMs = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < seeks; i++) {
    const s = performance.now();
    await replay.seek(random(replay.lastSeq));
    times.push(performance.now() - s);
    rss = Math.max(rss, process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.floor(times.length * 0.95)]!;

  // An actor with at least 1,000 changes spread over the whole run.
  await replay.history('agent:special'); // warm: LMDB pages and the seek state at the last point
  const h0 = performance.now();
  const history = await replay.history('agent:special');
  const historyMs = performance.now() - h0;
  rss = Math.max(rss, process.memoryUsage().rss);
  const stored = replay.storedSeekData;
  const lastSeq = replay.lastSeq;
  await replay.close();

  // Pruning with compaction reclaims the journal and the seek data it needed (on a copy when the run is kept).
  const pruneDir = process.env.REPLAY_SEEK_DIR ? mkdtempSync(join(tmpdir(), 'replay-seek-prune-')) : dir;
  if (pruneDir !== dir) cpSync(dir, pruneDir, { recursive: true });
  const hive = await createHive({ dataDir: pruneDir, logger: pino({ level: 'silent' }) });
  const pruned = await hive.prune({ before: Date.now() + 1, compactJournal: true });
  await hive.close();
  const after = await sizes(pruneDir);
  if (pruneDir !== dir) rmSync(pruneDir, { recursive: true, force: true });

  const pct = (100 * seekBytes) / before.journal;
  const ok = (met: boolean) => (met ? 'met' : 'MISSED');
  console.log(`journal: ${lastSeq} inputs written by a live hive, ${mb(before.journal)} MB; seek data stored: ${stored}`);
  console.log(
    `seek data: ${mb(seekBytes)} MB (seek points ${mb(before.seek)} MB, history index ${mb(before.history)} MB, pruned copies ${mb(before.retired)} MB) = ${pct.toFixed(1)}% of the journal   target <= 25%: ${ok(pct <= 25)}`,
  );
  console.log(`openReplay + first seek: ${firstMs.toFixed(0)} ms   target <= 1000 ms: ${ok(firstMs <= 1000)}`);
  console.log(
    `seeks (${seeks} random inputs): median ${median.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms   target median <= 200 ms: ${ok(median <= 200)}`,
  );
  console.log(`rss (max while seeking): ${mb(rss)} MB   target < 500 MB: ${ok(rss < 500 * 2 ** 20)}`);
  console.log(
    `history of agent:special: ${history.length} changes in ${historyMs.toFixed(0)} ms   target >= 1000 changes in <= 100 ms: ${ok(history.length >= 1000 && historyMs <= 100)}`,
  );
  console.log(
    `prune({ compactJournal: true }) deleted ${pruned} tasks: journal ${mb(before.journal)} -> ${mb(after.journal)} MB, seek data ${mb(seekBytes)} -> ${mb(after.seek + after.history + after.retired)} MB`,
  );
  console.log(
    JSON.stringify({
      inputs: lastSeq,
      journalMB: +mb(before.journal),
      seekDataMB: +mb(seekBytes),
      seekDataPct: +pct.toFixed(1),
      firstSeekMs: Math.round(firstMs),
      seekMedianMs: Math.round(median),
      seekP95Ms: Math.round(p95),
      rssMB: +mb(rss),
      historyChanges: history.length,
      historyMs: Math.round(historyMs),
      afterPrune: { journalMB: +mb(after.journal), seekDataMB: +mb(after.seek + after.history + after.retired) },
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--generate') return generate(process.argv[3]!, Number(process.argv[4]));
  const total = Number(process.argv[2] ?? 1_000_000);
  const seeks = Number(process.argv[3] ?? 40);
  const keep = process.env.REPLAY_SEEK_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'replay-seek-'));
  try {
    const reuse = keep !== undefined && existsSync(join(keep, 'hive.lmdb')) && (await sizes(keep)).lastSeq >= total;
    if (!reuse) {
      const t = performance.now();
      await runChild(dir, total);
      console.log(`generated in ${((performance.now() - t) / 1000).toFixed(0)} s${keep ? ` (kept in ${keep})` : ''}`);
    } else console.log(`reusing ${keep}`);
    await measure(dir, seeks);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
