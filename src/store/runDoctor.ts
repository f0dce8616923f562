/**
 * @module runDoctor: checks a data directory in a child process (doctorChild) and returns its report.
 * A damaged file can crash the process that reads it (LMDB trusts its pages); here that ends the
 * child, and the report says which check was reading what when it died.
 */
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { doctorChecks, type DoctorCheck, type DoctorCheckId, type DoctorReport } from './diagnoseDataDir.js';

/**
 * Checks `dir` (read-only, taking no lock) and resolves with the report; `crashed` is set when the
 * checking process died.
 * @example const report = await runDoctor('./.hivestate'); if (!report.healthy) console.log(report.checks)
 */
export async function runDoctor(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  // The child is this module's sibling, run the way this process runs (tsx for src/, plain node for dist/).
  const child = fileURLToPath(new URL(`./doctorChild${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  const proc = spawn(process.execPath, [...process.execArgv, child, dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  proc.stderr.on('data', (d: Buffer) => (err += d));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => proc.on('close', (c, s) => resolve([c, s])));

  const done: DoctorCheck[] = [];
  let current: DoctorCheckId | undefined;
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    const [kind, rest] = [line.slice(0, space), line.slice(space + 1)];
    if (kind === 'report' && code === 0) return JSON.parse(rest) as DoctorReport;
    if (kind === 'check') current = rest as DoctorCheckId;
    if (kind === 'done') {
      done.push(JSON.parse(rest) as DoctorCheck);
      current = undefined;
    }
  }
  const reading = doctorChecks.find((c) => c.id === current)?.reads ?? 'the directory (before any check started)';
  const why = signal ?? `exit code ${code}${err.trim() ? `: ${err.trim().split('\n').slice(-1)[0]}` : ''}`;
  return { dir, healthy: false, checks: done, crashed: { signal: why, reading } };
}
