/**
 * @module Torture harness: SIGKILLs a hive-running child at seeded random instants, restarts it,
 * lets it drain, then checks the crash invariants and prints them as a table and one JSON line.
 * With --remote the handlers run in worker processes over a local `nats-server -js` (started on a
 * free port), and worker processes are SIGKILLed and restarted at seeded instants too.
 * Usage: npm run torture -- --cycles 200 --seed 7 [--remote [--workers 3]] [--data-dir D] [--keep]
 * Exit code 0 only with 0 violations.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkInvariants } from './torture/checkInvariants.js';
import { startNatsServer, type NatsServer } from './natsServer.js';
import { prng } from './torture/prng.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
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
const rand = prng(seed);
const minMs = Number(values['min-ms']);
const maxMs = Number(values['max-ms']);
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

function run(cycle: number, drain: boolean, killAfterMs?: number): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', child, dataDir, sideDir, String(seed), String(cycle), ...(drain ? ['--drain'] : []), ...remoteArgs];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => p.kill('SIGKILL'), drain ? 180_000 : 60_000);
    p.stdout.on('data', (d: Buffer) => {
      if (killAfterMs !== undefined && !timer && d.toString().includes('ready')) {
        timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
        // Remote: most cycles also kill a worker at a seeded instant before the hive dies; it restarts at once.
        if (workerIds.length > 0 && rand() < 0.7) {
          const id = workerIds[Math.floor(rand() * workerIds.length)]!;
          setTimeout(() => {
            workers.get(id)!.kill('SIGKILL');
            workerKills++;
            startWorker(id);
          }, Math.floor(rand() * killAfterMs));
        }
      }
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

const started = performance.now();
let kills = 0;
for (let cycle = 0; cycle < cycles; cycle++) {
  const after = Math.round(minMs + rand() * (maxMs - minMs));
  const r = await run(cycle, false, after);
  if (r.signal === 'SIGKILL') kills++;
  else throw new Error(`cycle ${cycle}: the child exited by itself (code ${r.code}); see its stderr above`);
  if ((cycle + 1) % 20 === 0) process.stderr.write(`torture: ${cycle + 1}/${cycles} cycles\n`);
}
const drained = await run(cycles, true);
if (drained.code !== 0) throw new Error(`drain run failed: code ${drained.code} signal ${drained.signal}`);
await Promise.all([...workers.values()].map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : (p.once('exit', r), p.kill('SIGKILL'))))));
await nats?.stop();

const report = await checkInvariants(dataDir, sideDir);
const summary = { bench: 'torture', cycles, seed, kills, ...(nats ? { remote: true, workers: workerCount, workerKills } : {}), seconds: Math.round((performance.now() - started) / 100) / 10, ...report.counts, violations: report.violations.length };
console.table(report.table);
if (report.violations.length > 0) console.error('violations (first 20):', report.violations.slice(0, 20));
console.log(JSON.stringify(summary));
if (!values.keep && !values['data-dir']) rmSync(root, { recursive: true, force: true });
process.exitCode = report.violations.length === 0 ? 0 : 1;
