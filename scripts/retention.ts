/**
 * @module Retention run: pushes N tasks (default 1,000,000) through one hive in waves, pruning
 * finished tasks (and compacting the journal) after every wave, and prints the data directory size
 * as it goes. With --no-prune it shows the unbounded growth for comparison.
 * Usage: npm run retention -- [--tasks 1000000] [--wave 50000] [--no-prune]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHive } from '../src/index.js';

const { values } = parseArgs({
  options: { tasks: { type: 'string', default: '1000000' }, wave: { type: 'string', default: '50000' }, 'no-prune': { type: 'boolean', default: false } },
});
const total = Number(values.tasks);
const wave = Number(values.wave);
const prune = !values['no-prune'];
const dir = mkdtempSync(join(tmpdir(), 'hive-retention-'));

/** Bytes LMDB has allocated: the file size on disk (LMDB reuses freed pages but never shrinks). */
function dirBytes(): number {
  let n = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, f));
    if (st.isFile()) n += st.blocks * 512;
  }
  return n;
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
try {
  // retentionMs 0: everything finished before the prune call is eligible.
  const hive = await createHive({ dataDir: dir, retentionMs: 0, handlers: { noop: async () => null } });
  for (let i = 0; i < 8; i++) await hive.spawnAgent({ id: `w${i}`, name: `w${i}`, capabilities: ['noop'], maxConcurrent: 8 });
  const rows: Array<{ tasks: number; dataMB: number; storedTasks: number; seconds: number }> = [];
  const t0 = performance.now();
  for (let done = 0; done < total; done += wave) {
    const n = Math.min(wave, total - done);
    let finished = 0;
    const all = new Promise<void>((resolve) => {
      const off = hive.on('task.completed', () => {
        if (++finished === n) {
          off();
          resolve();
        }
      });
    });
    for (let i = 0; i < n; i += 1000) await hive.postTasks(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ type: 'noop', input: done + i + j })));
    await all;
    if (prune) await hive.prune({ compactJournal: true });
    else await hive.checkpoint();
    rows.push({
      tasks: done + n,
      dataMB: mb(dirBytes()),
      storedTasks: (await hive.status()).tasks.total,
      seconds: Math.round((performance.now() - t0) / 1000),
    });
    process.stderr.write(`  ${done + n} tasks, ${rows.at(-1)!.dataMB} MB\n`);
  }
  await hive.close();
  console.table(rows);
  const last = rows.at(-1)!;
  const peak = Math.max(...rows.map((r) => r.dataMB));
  console.log(
    JSON.stringify({
      bench: 'retention',
      prune,
      tasks: total,
      wave,
      finalDataMB: last.dataMB,
      peakDataMB: peak,
      firstWaveDataMB: rows[0]!.dataMB,
      seconds: last.seconds,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
