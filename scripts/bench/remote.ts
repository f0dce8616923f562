/**
 * @module Benchmark: remote workers over NATS JetStream on this machine. Throughput (durable, end to
 * end) with 1, 2 and 4 worker processes, for a no-op handler and for one that sleeps 50 ms, next to
 * the same work in process (as many agents as workers, the same slots each); and the latency a
 * remote attempt adds to post -> complete on an idle hive (p50, p99). CPU milliseconds per task
 * of the hive, nats-server and the workers say where the limit is.
 * Usage: node --expose-gc --import tsx scripts/bench/remote.ts [--remote-tasks 20000] [--remote-slots 32] [--samples 2000] [--runs 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { findNatsServer, startNatsServer, type NatsServer } from '../natsServer.js';
import { createHive, type Hive } from '../../src/index.js';
import { numberArg } from './options.js';
import { median, percentile, repeat, report, type Row } from './report.js';

const tasks = numberArg('remote-tasks');
const slots = numberArg('remote-slots');
const samples = numberArg('samples');
const runs = numberArg('runs');
const kinds = ['noop', 'sleep50'] as const;
type Kind = (typeof kinds)[number];
const handlers: Record<Kind, () => Promise<null>> = { noop: async () => null, sleep50: () => new Promise((r) => setTimeout(() => r(null), 50)) };
const quiet = pino({ level: 'silent' });
let prefixes = 0;

/** CPU seconds a process used so far (utime + stime from /proc, 100 ticks/s). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function startWorkers(nats: NatsServer, prefix: string, kind: Kind, n: number): Promise<ChildProcess[]> {
  const script = join(import.meta.dirname, 'remoteWorkerProcess.ts');
  return Promise.all(
    Array.from({ length: n }, (_, i) => {
      const p = spawn(process.execPath, ['--import', 'tsx', script, nats.url, prefix, `w${i + 1}`, kind, String(slots)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      return new Promise<ChildProcess>((resolve, reject) => {
        createInterface({ input: p.stdout! }).on('line', (l) => l === 'ready' && resolve(p));
        p.once('exit', (code) => reject(new Error(`bench worker exited with code ${code}`)));
      });
    }),
  );
}

const stopAll = (ps: ChildProcess[]) =>
  Promise.all(
    ps.map(
      (p) =>
        new Promise((r) => {
          p.once('exit', r);
          p.kill('SIGTERM');
        }),
    ),
  );

/** Posts `tasks` tasks in batches of 1000 and waits for every completion; tasks/s and CPU shares. */
async function drive(hive: Hive, kind: Kind, pids: number[]): Promise<{ perSec: number; cpu: Record<string, number> }> {
  let done = 0;
  const finished = new Promise<void>((resolve) => hive.on('task.completed', () => ++done === tasks && resolve()));
  const cpu0 = pids.map(cpuSeconds);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < tasks; i += 1000) {
    posts.push(hive.postTasks(Array.from({ length: Math.min(1000, tasks - i) }, () => ({ type: kind }))));
    if (posts.length >= 8) await posts.shift();
  }
  await Promise.all(posts);
  await finished;
  const s = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  // CPU milliseconds per task: unlike tasks/s, it hardly changes when other programs load the machine.
  const cpu: Record<string, number> = { hive: (self.user + self.system) / 1e3 / tasks, nats: 0, workers: 0 };
  pids.forEach((pid, i) => {
    const key = i === 0 ? 'nats' : 'workers';
    cpu[key] = (cpu[key] ?? 0) + ((cpuSeconds(pid) - cpu0[i]!) * 1000) / tasks;
  });
  return { perSec: tasks / s, cpu };
}

/** One throughput run: `workers` remote worker processes, or (0) the same slots in process. */
async function throughput(nats: NatsServer, kind: Kind, workers: number): Promise<{ perSec: number; cpu: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-remote-'));
  const prefix = `bench${process.pid}-${++prefixes}`;
  const hive = await createHive({
    dataDir: dir,
    logger: quiet,
    ...(workers > 0 ? { nats: { servers: nats.url, prefix } } : { handlers: { [kind]: handlers[kind] } }),
  });
  // Workers register with the hive, so they start after it (and leave before it closes).
  let procs: ChildProcess[] = [];
  try {
    if (workers === 0) for (let i = 0; i < 4; i++) await hive.spawnAgent({ id: `a${i}`, name: `a${i}`, capabilities: [kind], maxConcurrent: slots });
    else procs = await startWorkers(nats, prefix, kind, workers);
    return await drive(hive, kind, [nats.pid, ...procs.map((p) => p.pid!)]);
  } finally {
    await stopAll(procs);
    await hive.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** post -> complete of one no-op task at a time on an idle hive: in process, or through one remote worker. */
async function latency(nats: NatsServer, remote: boolean): Promise<{ p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hive-bench-remote-lat-'));
  const prefix = `benchlat${process.pid}-${++prefixes}`;
  const hive = await createHive({ dataDir: dir, logger: quiet, ...(remote ? { nats: { servers: nats.url, prefix } } : { handlers: { noop: handlers.noop } }) });
  let procs: ChildProcess[] = [];
  try {
    if (!remote) await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['noop'] });
    else procs = await startWorkers(nats, prefix, 'noop', 1);
    const waiting = new Map<string, () => void>();
    hive.on('task.completed', (e) => waiting.get(String(e.taskId))?.());
    const times: number[] = [];
    const warmup = Math.min(200, samples);
    for (let i = 0; i < samples + warmup; i++) {
      const id = `t${i}`;
      const done = new Promise<void>((r) => waiting.set(id, r));
      const t0 = performance.now();
      await hive.postTask({ id, type: 'noop' });
      await done;
      if (i >= warmup) times.push(performance.now() - t0);
      waiting.delete(id);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    await stopAll(procs);
    await hive.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
if (!findNatsServer()) {
  rows.push({ bench: 'remote', figure: 'every figure', skipped: 'nats-server is not installed (apt-get install nats-server)' });
} else {
  const nats = await startNatsServer();
  const fmtCpu = (cpu: Record<string, number>) =>
    `cpu ms/task: ${Object.entries(cpu)
      .filter(([k, v]) => v > 0 || k === 'hive')
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`;
  try {
    for (const kind of kinds) {
      for (const workers of [0, 1, 2, 4]) {
        const r = await repeat(runs, () => throughput(nats, kind, workers));
        const best = r.find((x) => x.perSec === median(r.map((y) => y.perSec))) ?? r[0]!;
        const what = workers === 0 ? `in process (4 agents x ${slots})` : `${workers} worker process${workers > 1 ? 'es' : ''} x ${slots}`;
        rows.push({
          bench: 'remote',
          figure: `${kind === 'noop' ? 'no-op' : 'sleep 50 ms'}: ${what}`,
          value: median(r.map((x) => x.perSec)),
          unit: 'tasks/s',
          runs: r.map((x) => x.perSec),
          note: fmtCpu(best.cpu),
        });
      }
    }
    // In process and remote interleaved run by run, so both see the same machine load; the added
    // latency is the median of the per-run differences.
    const pairs = await repeat(runs, async () => ({ local: await latency(nats, false), remote: await latency(nats, true) }));
    for (const p of ['p50', 'p99'] as const) {
      const l = median(pairs.map((x) => x.local[p]));
      rows.push({
        bench: 'remote',
        figure: `post -> complete ${p}, 1 remote worker (idle)`,
        value: median(pairs.map((x) => x.remote[p])),
        unit: 'ms',
        runs: pairs.map((x) => x.remote[p]),
        note: `in process ${l.toFixed(2)} ms`,
      });
      rows.push({
        bench: 'remote',
        figure: `added by a remote attempt, ${p}`,
        value: median(pairs.map((x) => x.remote[p] - x.local[p])),
        unit: 'ms',
        runs: pairs.map((x) => x.remote[p] - x.local[p]),
      });
    }
  } finally {
    await nats.stop();
  }
}
report(rows);
