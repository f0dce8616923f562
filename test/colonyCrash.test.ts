import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, openReplay } from '../src/index.js';
import { memoryLogger, tempDir, until } from './helpers.js';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('colony crash safety', () => {
  it('after SIGKILLs while a colony of 200 workers runs, every acknowledged worker reports exactly once, and no timer slot fires twice', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const ackFile = join(dir, 'acked.txt');
    const eventFile = join(dir, 'events.txt');
    const finished = () => lines(eventFile).filter((l) => l.startsWith('finished '));
    for (let cycle = 0; cycle < 2; cycle++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'colonyCrashChild.ts'), data, ackFile, eventFile, '200', `k${cycle}`],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise((r) => child.on('exit', r));
      const ackedBefore = lines(ackFile).length;
      const finishedBefore = finished().length;
      // Kill with workers acknowledged, some finished and many still queued or running.
      await until(() => lines(ackFile).length >= ackedBefore + 120 && finished().length >= finishedBefore + 20, 30_000);
      child.kill('SIGKILL');
      expect(await exited).toBe(null);
    }
    const acked = lines(ackFile);
    expect(acked.length).toBeGreaterThanOrEqual(240);
    expect(new Set(acked).size).toBe(acked.length);

    const logged = memoryLogger();
    const hive = await createHive({
      dataDir: data,
      logger: logged.logger,
      colonies: { crash: async (job, ctx) => ({ done: job.workerId, attempt: ctx.attempt }) },
    });
    const afterRestart: string[] = [];
    hive.on('worker.finished', (e) => afterRestart.push(e.workerId as string));
    try {
      const colony = hive.colony('crash');
      await colony.removeTrigger('tick');
      const reports = await colony.waitForReports(acked, { timeoutMs: 20_000 });
      expect(reports.filter((r) => r.status !== 'success')).toEqual([]);
      // Exactly once: no worker finished twice, before or after the kills.
      const finishedIds = [...finished().map((l) => l.split(' ')[1]!), ...afterRestart];
      expect(finishedIds.length).toBe(new Set(finishedIds).size);
      // Every acknowledged worker has a report; those not seen finishing were committed just before a kill.
      for (const r of reports) expect(r.output).toMatchObject({ done: r.workerId });
      const fired = lines(eventFile).filter((l) => l.startsWith('fired '));
      const slots = fired.map((l) => l.split(' ')[2]);
      expect(fired.length).toBeGreaterThan(0);
      expect(slots.length).toBe(new Set(slots).size);
    } finally {
      await hive.close();
    }
    const replay = await openReplay(data);
    try {
      expect((await replay.verify()).actors).toBeGreaterThanOrEqual(240);
    } finally {
      await replay.close();
    }
  });
});
