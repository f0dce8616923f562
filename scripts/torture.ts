/**
 * @module Torture harness: SIGKILLs a hive-running child at seeded random instants, restarts it,
 * lets it drain, then checks the crash invariants and prints them as a table and one JSON line.
 * With --faults each cycle may also make the store fail (a failed append or checkpoint through the
 * faults hook, or every fdatasync failing with EIO through an LD_PRELOAD shim), and the parent
 * deletes hive.lock at a random instant, sometimes starting a second writer that must be refused.
 * With --remote the handlers run in worker processes over a local `nats-server -js` (started on a
 * free port), and worker processes are SIGKILLed and restarted at seeded instants too.
 * Usage: npm run torture -- --cycles 200 --seed 7 [--faults] [--remote [--workers 3]] [--data-dir D] [--keep]
 * Exit code 0 only with 0 violations.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSyncFailShim, syncFailMarkerEnv } from './faults/buildSyncFailShim.js';
import { checkInvariants } from './torture/checkInvariants.js';
import { planCycle, type CyclePlan } from './torture/faultPlan.js';
import { startNatsServer, type NatsServer } from './natsServer.js';
import { prng } from './torture/prng.js';
import { append } from './torture/sideFiles.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    faults: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'min-ms': { type: 'string', default: '150' },
    'max-ms': { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    workers: { type: 'string', default: '3' },
  },
});
const cycles = Number(values.cycles);
const seed = Number(values.seed);
if (!Number.isInteger(cycles) || cycles < 1 || !Number.isInteger(seed)) {
  console.error('torture: --cycles must be a positive integer and --seed an integer');
  process.exit(2);
}
const root = values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'hive-torture-'));
const dataDir = join(root, 'data');
const sideDir = join(root, 'side');
mkdirSync(sideDir, { recursive: true });
const child = join(import.meta.dirname, 'torture', 'child.ts');
const intruder = join(import.meta.dirname, 'torture', 'intruder.ts');
const rand = prng(seed);
const minMs = Number(values['min-ms']);
const maxMs = Number(values['max-ms']);
const shim = values.faults ? buildSyncFailShim(root) : undefined;
if (shim && 'unavailable' in shim) process.stderr.write(`torture: no EIO faults: ${shim.unavailable}\n`);
const marker = join(root, 'fail-syncs-now');
const workerCount = Number(values.workers);
if (!Number.isInteger(workerCount) || workerCount < 1) {
  console.error('torture: --workers must be a positive integer');
  process.exit(2);
}
const nats: NatsServer | undefined = values.remote ? await startNatsServer() : undefined;
const remoteArgs = nats ? ['--remote', nats.url] : [];

/** Remote mode: worker processes, each restarted right after it is killed. */
const workerScript = join(import.meta.dirname, 'torture', 'remoteWorker.ts');
const workers = new Map<string, ChildProcess>();
function startWorker(id: string): void {
  const p = spawn(process.execPath, ['--import', 'tsx', workerScript, nats!.url, id, sideDir, String(seed)], { stdio: ['ignore', 'ignore', 'inherit'] });
  workers.set(id, p);
}
const workerIds = Array.from({ length: nats ? workerCount : 0 }, (_, i) => `remote-${i + 1}`);
for (const id of workerIds) startWorker(id);
let workerKills = 0;

interface CycleResult {
  code: number | null;
  signal: string | null;
  faulted: boolean;
  closeMs?: number | 'hung';
  lockDeleted: boolean;
  intruder?: string;
}

/** Calls `onLine` for each complete line a stream writes. */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/** Starts the intruder; resolves with its one-line answer. */
function intrude(): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', intruder, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let answer = '';
    lines(p.stdout, (l) => (answer ||= l));
    p.on('exit', () => resolve(answer || 'no answer'));
  });
}

function run(cycle: number, drain: boolean, killAfterMs?: number, plan?: CyclePlan): Promise<CycleResult> {
  return new Promise((resolve, reject) => {
    const fault = plan && plan.kind !== 'none' ? [`--fault=${plan.kind}@${plan.faultAtMs}`] : [];
    const args = ['--import', 'tsx', child, dataDir, sideDir, String(seed), String(cycle), ...(drain ? ['--drain'] : []), ...fault, ...remoteArgs];
    const env = plan?.kind === 'eio' && shim && 'path' in shim ? { ...process.env, LD_PRELOAD: shim.path, [syncFailMarkerEnv]: marker } : process.env;
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    const result: CycleResult = { code: null, signal: null, faulted: false, lockDeleted: false };
    const timers: NodeJS.Timeout[] = [];
    let intruding: Promise<void> | undefined;
    let killing = false;
    const kill = () => {
      killing = true;
      void (intruding ?? Promise.resolve()).then(() => p.kill('SIGKILL'));
    };
    timers.push(setTimeout(() => p.kill('SIGKILL'), drain ? 180_000 : 60_000));
    lines(p.stdout, (line) => {
      if (line === 'ready') {
        if (killAfterMs !== undefined) {
          timers.push(setTimeout(kill, killAfterMs));
          // Remote: most cycles also kill a worker at a seeded instant before the hive dies; it restarts at once.
          if (workerIds.length > 0 && rand() < 0.7) {
            const id = workerIds[Math.floor(rand() * workerIds.length)]!;
            timers.push(
              setTimeout(
                () => {
                  workers.get(id)!.kill('SIGKILL');
                  workerKills++;
                  startWorker(id);
                },
                Math.floor(rand() * killAfterMs),
              ),
            );
          }
        }
        if (plan) {
          timers.push(
            setTimeout(() => {
              rmSync(join(dataDir, 'hive.lock'), { force: true });
              result.lockDeleted = true;
              // Timers 1 ms apart can fire out of order: an intruder after the kill would rightly open.
              if (plan.intruder && !result.faulted && !killing) intruding = intrude().then((answer) => void (result.intruder = answer));
            }, plan.deleteLockAtMs),
          );
        }
      } else if (line === 'faulted') {
        // From here the child closes the hive and exits by itself; close() must return.
        result.faulted = true;
        for (const t of timers) clearTimeout(t);
        timers.push(
          setTimeout(() => {
            result.closeMs = 'hung';
            p.kill('SIGKILL');
          }, 20_000),
        );
      } else if (line.startsWith('closed ')) {
        result.closeMs = Number(line.slice('closed '.length));
      }
    });
    p.on('error', reject);
    p.on('exit', async (code, signal) => {
      for (const t of timers) clearTimeout(t);
      await intruding;
      rmSync(marker, { force: true });
      // A child that exits without 'closed' never saw close() return (code 13: it awaited it forever).
      if (result.faulted && result.closeMs === undefined) result.closeMs = 'hung';
      resolve({ ...result, code, signal });
    });
  });
}

const started = performance.now();
let kills = 0;
const faultCounts = { append: 0, checkpoint: 0, eio: 0, faulted: 0, lockDeletions: 0, intruders: 0, maxCloseMs: 0 };
for (let cycle = 0; cycle < cycles; cycle++) {
  const after = Math.round(minMs + rand() * (maxMs - minMs));
  const plan = values.faults ? planCycle(seed, cycle, after, !!shim && 'path' in shim) : undefined;
  const r = await run(cycle, false, after, plan);
  append(sideDir, 'cycles', { cycle, kind: plan?.kind ?? 'kill', faulted: r.faulted, closeMs: r.closeMs, code: r.code, signal: r.signal });
  if (r.intruder !== undefined) append(sideDir, 'intruders', { cycle, answer: r.intruder });
  if (plan) {
    if (plan.kind !== 'none') faultCounts[plan.kind]++;
    if (r.lockDeleted) faultCounts.lockDeletions++;
    if (r.intruder !== undefined) faultCounts.intruders++;
  }
  if (r.faulted) {
    faultCounts.faulted++;
    if (typeof r.closeMs === 'number') faultCounts.maxCloseMs = Math.max(faultCounts.maxCloseMs, r.closeMs);
    if (r.code !== 0 && r.closeMs !== 'hung')
      throw new Error(`cycle ${cycle}: the child failed after a store failure (code ${r.code}, signal ${r.signal}); see its stderr above`);
  } else if (r.signal === 'SIGKILL') kills++;
  else throw new Error(`cycle ${cycle}: the child exited by itself (code ${r.code}); see its stderr above`);
  if ((cycle + 1) % 20 === 0) process.stderr.write(`torture: ${cycle + 1}/${cycles} cycles\n`);
}
const drained = await run(cycles, true);
if (drained.code !== 0) throw new Error(`drain run failed: code ${drained.code} signal ${drained.signal}`);
append(sideDir, 'cycles', { cycle: cycles, kind: 'drain', faulted: false, code: drained.code, signal: drained.signal });

await Promise.all(
  [...workers.values()].map(
    (p) =>
      new Promise((r) => {
        if (p.exitCode !== null || p.signalCode !== null) r(null);
        else {
          p.once('exit', r);
          p.kill('SIGKILL');
        }
      }),
  ),
);
await nats?.stop();

const report = await checkInvariants(dataDir, sideDir);
const summary = {
  bench: 'torture',
  cycles,
  seed,
  kills,
  ...(values.faults ? { faults: true, ...faultCounts } : {}),
  ...(nats ? { remote: true, workers: workerCount, workerKills } : {}),
  seconds: Math.round((performance.now() - started) / 100) / 10,
  ...report.counts,
  violations: report.violations.length,
};
console.table(report.table);
if (report.violations.length > 0) console.error('violations (first 20):', report.violations.slice(0, 20));
console.log(JSON.stringify(summary));
if (!values.keep && !values['data-dir']) rmSync(root, { recursive: true, force: true });
process.exitCode = report.violations.length === 0 ? 0 : 1;
