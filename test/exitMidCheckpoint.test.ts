import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive } from '../src/index.js';
import { memoryLogger, tempDir } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'exitMidCheckpoint.ts');

interface Run {
  dataDir: string;
  code: number | null;
  /** Milliseconds from "exiting" to the end of the process (undefined: it never said "exiting"). */
  exitMs: number | undefined;
  stderr: string;
}

/** Runs the fixture, killing it when it has not ended 10 s after saying "exiting". */
function runOnce(afterMs: number): Promise<Run> {
  const dataDir = join(tempDir(), 'data');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, String(afterMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let exitingAt: number | undefined;
  let killer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => {
    if (exitingAt === undefined && String(d).includes('exiting')) {
      exitingAt = Date.now();
      killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    }
  });
  const started = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(started);
      clearTimeout(killer);
      resolve({ dataDir, code, exitMs: exitingAt === undefined ? undefined : Date.now() - exitingAt, stderr });
    }),
  );
}

describe('process.exit() while the hive is writing', () => {
  it('returns at once even when a checkpoint is being written, and the directory reopens', async () => {
    // A hive checkpointing every 10 ms under load; before the fix about one exit in seven hung in
    // LMDB's write thread, so twelve runs at spread-out moments catch it almost always.
    const delays = [110, 150, 190, 230, 270, 310, 350, 390, 430, 470, 510, 550];
    const runs: Run[] = [];
    for (let i = 0; i < delays.length; i += 2) runs.push(...(await Promise.all(delays.slice(i, i + 2).map(runOnce))));
    for (const r of runs) {
      expect(r.exitMs, r.stderr).toBeDefined();
      expect({ code: r.code, hung: r.exitMs! > 5_000 }, r.stderr).toEqual({ code: 0, hung: false });
    }
    const hive = await createHive({ dataDir: runs[0]!.dataDir, logger: memoryLogger().logger });
    try {
      expect((await hive.listTasks({ limit: 1 })).length).toBe(1);
    } finally {
      await hive.close();
    }
  }, 120_000);
});
