/** @module Replay of a run that used delays, manual retry, signals, schedules and rate limits: `verify()` reproduces it exactly. */
import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, openReplay } from '../src/index.js';
import { memoryLogger, tempDir, until } from './helpers.js';

describe('replay of the day-one features', () => {
  it('verify() passes and shows the schedule and rate-limit actors', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    let fail = true;
    const hive = await createHive({
      dataDir,
      clock,
      logger: memoryLogger().logger,
      rateLimits: { job: { max: 2, perMs: 1000 } },
      handlers: {
        job: async (t) => t.id,
        flaky: async () => (fail ? Promise.reject(new Error('no')) : 'ok'),
        ask: async (_t, ctx) => ({ answer: await ctx.waitForSignal('answer') }),
      },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job', 'flaky', 'ask'], maxConcurrent: 4 });
    await hive.schedule({ id: 'tick', every: 1000, overlap: 'queue', task: { type: 'job' } });
    const delayed = await hive.postTask({ type: 'job', delayMs: 1500 });
    const flaky = await hive.postTask({ type: 'flaky', maxRetries: 0 });
    const ask = await hive.postTask({ type: 'ask' });
    await hive.waitForTask(flaky.id);
    await until(async () => (await hive.getTask(ask.id)).status === 'waiting');
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 20));
    }
    fail = false;
    await hive.retryTask(flaky.id);
    await hive.signal(ask.id, 'answer', 'yes');
    for (const id of [delayed.id, flaky.id, ask.id]) expect((await hive.waitForTask(id, { timeoutMs: 2000 })).status).toBe('completed');
    await hive.close();

    const replay = await openReplay(dataDir);
    try {
      const report = await replay.verify();
      expect(report.inputs).toBeGreaterThan(10);
      await replay.seek(replay.lastSeq);
      const addresses = replay.actors().map((a) => a.address);
      expect(addresses).toEqual(expect.arrayContaining(['schedule:tick', 'ratelimit:job']));
    } finally {
      await replay.close();
    }
  });
});
