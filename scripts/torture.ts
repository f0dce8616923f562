/**
 * @module Torture harness: SIGKILLs a hive-running child at seeded random instants, restarts it,
 * lets it drain, then checks the crash invariants and prints them as a table and one JSON line.
 * Usage: npm run torture -- --cycles 200 --seed 7 [--data-dir D] [--keep]
 * Exit code 0 only with 0 violations.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkInvariants } from './torture/checkInvariants.js';
import { prng } from './torture/prng.js';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    'data-dir': { type: 'string' },
    'min-ms': { type: 'string', default: '150' },
    'max-ms': { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
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

function run(cycle: number, drain: boolean, killAfterMs?: number): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', child, dataDir, sideDir, String(seed), String(cycle), ...(drain ? ['--drain'] : [])];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => p.kill('SIGKILL'), drain ? 180_000 : 60_000);
    p.stdout.on('data', (d: Buffer) => {
      if (killAfterMs !== undefined && !timer && d.toString().includes('ready')) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
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

const report = await checkInvariants(dataDir, sideDir);
const summary = { bench: 'torture', cycles, seed, kills, seconds: Math.round((performance.now() - started) / 100) / 10, ...report.counts, violations: report.violations.length };
console.table(report.table);
if (report.violations.length > 0) console.error('violations (first 20):', report.violations.slice(0, 20));
console.log(JSON.stringify(summary));
if (!values.keep && !values['data-dir']) rmSync(root, { recursive: true, force: true });
process.exitCode = report.violations.length === 0 ? 0 : 1;
