/**
 * @module Delays, schedules and signals across kill -9 of a real process: a delayed task is neither
 * started early nor lost, a schedule posts each slot at most once, a signal sent while no process
 * runs the hive (`hivestate signal`) is delivered after the restart.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, sleep, tempDir, until, verifyReplay } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'featuresChild.ts');

function startChild(dataDir: string, logFile: string, mode: 'setup' | 'resume', runAt: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, logFile, mode, String(runAt)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exited, count: (line: RegExp) => (out.match(new RegExp(line.source, 'gm')) ?? []).length };
}

describe('day-one features across kill -9', () => {
  it('keeps delays, schedules and signals', async () => {
    const dataDir = join(tempDir('hive-features-'), 'data');
    const logFile = join(dataDir, '..', 'starts.log');
    const runAt = Date.now() + 8000;

    const first = startChild(dataDir, logFile, 'setup', runAt);
    await until(() => first.count(/^task\.waiting deploy-1$/) === 1 && first.count(/^schedule\.fired/) >= 2, 20_000);
    expect(Date.now(), 'the machine was too slow to kill the first run before runAt').toBeLessThan(runAt - 200);
    first.child.kill('SIGKILL');
    await first.exited;

    // Nothing runs the hive now: the signal is journaled in the directory, and runAt passes.
    const signalled = await runCli(['signal', 'deploy-1', 'approve', '--value', '{"by":"ops"}', '--data-dir', dataDir]);
    expect(signalled.stderr).toBe('');
    expect(signalled.code).toBe(0);
    await sleep(Math.max(0, runAt + 300 - Date.now()));

    const second = startChild(dataDir, logFile, 'resume', runAt);
    await until(
      () => second.count(/^task\.completed deploy-1$/) === 1 && second.count(/^task\.completed later$/) === 1 && second.count(/^schedule\.fired/) >= 2,
      20_000,
    );
    second.child.kill('SIGKILL');
    await second.exited;

    const third = startChild(dataDir, logFile, 'resume', runAt);
    await until(() => third.count(/^schedule\.fired/) >= 2, 20_000);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(first.err() + second.err() + third.err()).toBe('');

    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    // The signal sent while down reached the handler.
    expect(lines.filter((l) => l.startsWith('deploy '))).toEqual([expect.stringMatching(/^deploy deploy-1 \d+ \{"by":"ops"\}$/)]);
    // The delayed task started only after runAt, and ran.
    const later = lines.filter((l) => l.startsWith('start later '));
    expect(later.length).toBeGreaterThanOrEqual(1);
    for (const l of later) expect(Number(l.split(' ')[3])).toBeGreaterThanOrEqual(runAt);
    // No attempt of any task ran twice.
    const starts = lines.filter((l) => l.startsWith('start ')).map((l) => l.split(' ').slice(1, 3).join(' '));
    expect(new Set(starts).size).toBe(starts.length);

    const hive = await createHive({ dataDir, logger: memoryLogger().logger });
    try {
      expect(await hive.getTask('deploy-1')).toMatchObject({ status: 'completed', output: { by: 'ops' } });
      expect((await hive.getTask('later')).status).toBe('completed');
      const beat = await hive.getSchedule('beat');
      const slots = (await hive.listTasks({ type: 'report', limit: 10_000 })).map((t) => Date.parse(t.id.slice('beat@'.length))).sort((a, b) => a - b);
      // One task per slot: as many tasks as the schedule counted, on distinct slots of 500 ms.
      expect(slots.length).toBe(beat.fired);
      expect(new Set(slots).size).toBe(slots.length);
      for (const s of slots) expect(s % 500).toBe(0);
      expect(slots.at(-1)).toBeLessThanOrEqual(beat.lastSlot!);
    } finally {
      await hive.close();
    }
    await verifyReplay(dataDir);
  }, 90_000);
});
