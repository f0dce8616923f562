import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, type Handler } from '../src/index.js';
import { gate, memoryLogger, nextEvent, tempDir, until } from './helpers.js';

describe('recovery', () => {
  it('a hive closed mid-run (pending, running, in backoff) finishes everything when reopened', async () => {
    const dir = tempDir();
    const started = gate();
    const first = await createHive({
      dataDir: dir,
      logger: memoryLogger().logger,
      handlers: {
        slow: async (_t, ctx) => {
          await ctx.checkpoint({ step: 1 });
          started.open();
          return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('closing'))));
        },
        flaky: async () => Promise.reject(new Error('first try fails')),
      },
    });
    await first.spawnAgent({ id: 'w', name: 'w', capabilities: ['slow', 'flaky', 'later'], maxConcurrent: 2 });
    await first.postTask({ id: 'running', type: 'slow' });
    await started.promise;
    const retrying = nextEvent(first, 'task.retrying');
    await first.postTask({ id: 'backoff', type: 'flaky', backoffMs: 300, maxRetries: 1 });
    await retrying;
    await first.postTasks([
      { id: 'queued-1', type: 'later' },
      { id: 'queued-2', type: 'later', dependsOn: ['queued-1'] },
    ]);
    // This process has no handler for 'later': the task waits instead of going to an agent that cannot run it.
    expect((await first.getTask('queued-1')).status).toBe('pending');
    expect((await first.getTask('queued-2')).status).toBe('pending');
    expect((await first.getTask('backoff')).status).toBe('retrying');
    await first.close();

    const seen: Record<string, { attempt: number; last: unknown }> = {};
    const record: Handler = async (t, ctx) => {
      seen[t.id] = { attempt: ctx.attempt, last: ctx.lastCheckpoint ?? null };
      return `${t.id} done`;
    };
    const second = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { slow: record, flaky: record, later: record } });
    try {
      for (const id of ['running', 'backoff', 'queued-1', 'queued-2']) {
        expect(await second.waitForTask(id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: `${id} done` });
      }
      expect(seen.running).toEqual({ attempt: 2, last: { step: 1 } });
      expect(await second.getTask('running')).toMatchObject({ attempts: 2, redispatches: 1 });
      expect(seen.backoff?.attempt).toBe(2);
      expect(await second.getTask('queued-1')).toMatchObject({ attempts: 1, redispatches: 0 });
      expect(await second.getAgent('w')).toMatchObject({ load: 0, status: 'idle' });
    } finally {
      await second.close();
    }
  });

  it('every acknowledged postTask survives SIGKILL of the process and completes after restart', async () => {
    const dir = tempDir();
    const ackFile = join(dir, 'acked.txt');
    const acked = () => (existsSync(ackFile) ? readFileSync(ackFile, 'utf8').split('\n').filter(Boolean) : []);
    for (let cycle = 0; cycle < 3; cycle++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'crashChild.ts'), join(dir, 'data'), ackFile, `k${cycle}`],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((r) => child.on('exit', r));
      const target = acked().length + 100 + cycle * 37;
      await until(() => acked().length >= target, 20_000);
      child.kill('SIGKILL');
      expect(await exited).toBe(null);
    }
    const ids = acked();
    expect(ids.length).toBeGreaterThanOrEqual(300);
    const hive = await createHive({
      dataDir: join(dir, 'data'),
      logger: memoryLogger().logger,
      handlers: { work: async (t, ctx) => ({ done: t.id, attempt: ctx.attempt }) },
    });
    try {
      for (const id of ids) {
        const t = await hive.waitForTask(id, { timeoutMs: 10_000 });
        expect(t.status, id).toBe('completed');
        expect(t.output).toMatchObject({ done: id });
      }
      // Tasks journaled but killed before their ack line was written must finish too.
      const all = await hive.listTasks({ limit: 100_000 });
      expect(all.length).toBeGreaterThanOrEqual(ids.length);
      for (const t of all) expect((await hive.waitForTask(t.id, { timeoutMs: 10_000 })).status, t.id).toBe('completed');
      const s = await hive.status();
      expect(s.tasks.completed).toBe(s.tasks.total);
    } finally {
      await hive.close();
    }
  });
});
