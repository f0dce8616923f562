/**
 * @module Benchmark: end-to-end throughput, every ratio measured in the same run. Per run, each in
 * its own process and interleaved so all see the same machine load: raw XState lifecycles of
 * machines/task.ts; hivestate durable end to end (post -> assign -> no-op handler -> complete, every
 * input journaled) on this checkout and on --baseline (a commit checked out in a temp git worktree);
 * BullMQ on a local Redis without persistence, with AOF everysec and with AOF always.
 * Usage: npx tsx scripts/bench/throughput.ts [--tasks 100000] [--agents 8] [--runs 3] [--baseline 29dc4e9|none] [--quick]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkoutBaseline, type BaselineCheckout } from './baselineCheckout.js';
import { findRedisServer, type RedisPersistence } from './bullmqWorkload.js';
import { defaultBaseline, numberArg, stringArg } from './options.js';
import { median, report, resultPrefix, type Figure, type Row } from './report.js';

const tasks = numberArg('tasks');
const agents = numberArg('agents');
const runs = numberArg('runs');
// Enough to get the JIT and LMDB's first map growth out of the timed part; the same for every system.
const warmup = Math.min(5_000, Math.floor(tasks / 20));
const ref = stringArg('baseline', defaultBaseline);
const repo = join(import.meta.dirname, '..', '..');

interface System {
  key: string;
  label: string;
  unit: string;
  args: string[];
}

/** Starts one throughputRun.ts process and resolves with its per-second figure. */
function runOnce(s: System): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(import.meta.dirname, 'throughputRun.ts'),
      ...s.args,
      '--tasks',
      String(tasks),
      '--agents',
      String(agents),
      '--warmup',
      String(warmup),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: scratch } },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(resultPrefix));
      if (code !== 0 || !line) return reject(new Error(`exit ${code ?? signal}`));
      resolve((JSON.parse(line.slice(resultPrefix.length)) as { perSec: number }).perSec);
    });
  });
}

const fsType = spawnSync('stat', ['-f', '-c', '%T', tmpdir()], { encoding: 'utf8' }).stdout?.trim();
if (fsType === 'tmpfs' || fsType === 'ramfs')
  process.stderr.write(`  warning: ${tmpdir()} is ${fsType}: flushes cost nothing there, so durable figures are not comparable (set TMPDIR to a disk)\n`);

// Runs create their data and Redis directories in here, so an interrupted run leaves nothing behind.
const scratch = mkdtempSync(join(tmpdir(), 'hive-bench-scratch-'));
const rows: Row[] = [];
const baseline: BaselineCheckout | string = ref === 'none' ? '--baseline none' : checkoutBaseline(repo, ref);
const cleanup = () => {
  if (typeof baseline !== 'string') baseline.remove();
  rmSync(scratch, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const systems: System[] = [
  { key: 'xstate', label: 'raw XState lifecycle (machines/task.ts)', unit: 'tasks/s', args: ['--system', 'xstate'] },
  { key: 'hive', label: `hivestate durable e2e (${tasks} tasks, ${agents} agents)`, unit: 'tasks/s', args: ['--system', 'hive'] },
];
if (typeof baseline === 'string') {
  process.stderr.write(`  baseline: skipped (${baseline})\n`);
  rows.push({ bench: 'throughput', figure: 'baseline', skipped: baseline });
} else {
  systems.push({
    key: 'baseline',
    label: `hivestate at baseline ${baseline.ref === baseline.commit ? baseline.ref : `${baseline.ref} (${baseline.commit})`}, same workload`,
    unit: 'tasks/s',
    args: ['--system', 'hive', '--entry', baseline.entry],
  });
}
const bullmqLabels: Record<RedisPersistence, string> = {
  off: 'BullMQ, Redis without persistence',
  everysec: 'BullMQ, Redis appendfsync everysec',
  always: 'BullMQ, Redis appendfsync always',
};
if (!findRedisServer()) {
  const reason = 'redis-server is not installed (Debian/Ubuntu: sudo apt-get install redis-server)';
  process.stderr.write(`  bullmq: skipped (${reason})\n`);
  rows.push({ bench: 'throughput', figure: 'BullMQ', skipped: reason });
} else {
  for (const p of ['off', 'everysec', 'always'] as const)
    systems.push({ key: `bullmq-${p}`, label: bullmqLabels[p], unit: 'jobs/s', args: ['--system', 'bullmq', '--redis', p] });
}

const results = new Map<string, number[]>(systems.map((s) => [s.key, []]));
const failed = new Map<string, string>();
try {
  for (let i = 0; i < runs; i++) {
    // Alternate which hivestate goes first, so neither always runs on a just-warmed or just-loaded machine.
    const order = i % 2 === 0 ? systems : [...systems].sort((a, b) => (a.key === 'baseline' ? -1 : b.key === 'baseline' ? 1 : 0));
    for (const s of order) {
      if (failed.has(s.key)) continue;
      try {
        const perSec = await runOnce(s);
        results.get(s.key)!.push(perSec);
        process.stderr.write(`  run ${i + 1}/${runs} ${s.label}: ${Math.round(perSec)} ${s.unit}\n`);
      } catch (err) {
        if (s.key === 'hive') throw err;
        failed.set(s.key, `run failed: ${(err as Error).message}`);
      }
    }
  }
} finally {
  cleanup();
}

const hive = results.get('hive')!;
/** Median of the per-run ratios: runs are interleaved, so run i of each system saw the same load. */
const ratio = (key: string, figure: string, target?: Figure['target'], note?: string): Row | undefined => {
  const other = results.get(key);
  if (!other || failed.has(key)) return undefined;
  const perRun = hive.map((h, i) => h / other[i]!);
  return { bench: 'throughput', figure, value: median(perRun), unit: 'x', runs: perRun, ...(target ? { target } : {}), ...(note ? { note } : {}) };
};
for (const s of systems) {
  const r = results.get(s.key)!;
  const why = failed.get(s.key);
  rows.push(why ? { bench: 'throughput', figure: s.label, skipped: why } : { bench: 'throughput', figure: s.label, value: median(r), unit: s.unit, runs: r });
}
const ratios = [
  ratio('baseline', 'hivestate / baseline', { op: '>=', value: 2.5 }),
  ratio('xstate', 'hivestate / raw XState lifecycle', { op: '>=', value: 0.45 }),
  ratio('bullmq-off', 'hivestate / BullMQ without persistence', { op: '>=', value: 0.65 }, 'aim >= 1'),
  ratio('bullmq-everysec', 'hivestate / BullMQ appendfsync everysec'),
  ratio('bullmq-always', 'hivestate / BullMQ appendfsync always', undefined, 'like-for-like: acknowledged after fsync'),
];
for (const r of ratios) if (r) rows.push(r);
report(rows);
