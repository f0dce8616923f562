/** @module Rate limits: at most `max` starts of a task type per `perMs`, applied by the scheduler from journaled times. */
import { describe, expect, it } from 'vitest';
import { createHive, isHiveError, ManualClock, openReplay } from '../src/index.js';
import { memoryLogger, openHive, tempDir, until } from './helpers.js';

const wait = (ms = 15) => new Promise((r) => setTimeout(r, ms));

describe('rate limits', () => {
  it('starts at most max tasks of a type per perMs (sliding window); other types are not held back', async () => {
    const clock = new ManualClock(0);
    const starts: Array<[string, number]> = [];
    const hive = await openHive({
      clock,
      rateLimits: { email: { max: 2, perMs: 1000 } },
      handlers: {
        email: async (t) => {
          starts.push([t.id, clock.now()]);
          return null;
        },
        sms: async () => null,
      },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['email', 'sms'], maxConcurrent: 10 });
    const emails = await hive.postTasks(Array.from({ length: 5 }, (_, i) => ({ id: `e${i}`, type: 'email' })));
    const sms = await hive.postTasks(Array.from({ length: 3 }, (_, i) => ({ id: `s${i}`, type: 'sms' })));
    for (const t of sms) expect((await hive.waitForTask(t.id, { timeoutMs: 2000 })).status).toBe('completed');
    await until(() => starts.length === 2);
    await wait();
    expect(starts).toEqual([
      ['e0', 0],
      ['e1', 0],
    ]);
    expect((await hive.getTask('e2')).status).toBe('pending');
    clock.advance(400);
    await hive.postTask({ id: 'e5', type: 'email' }); // still full at 400
    clock.advance(599);
    await wait();
    expect(starts).toHaveLength(2);
    clock.advance(1); // at 1000 the two starts at 0 leave the window
    await until(() => starts.length === 4);
    await wait();
    expect(starts.slice(2)).toEqual([
      ['e2', 1000],
      ['e3', 1000],
    ]);
    clock.advance(1000);
    await until(() => starts.length === 6);
    for (const t of emails) expect((await hive.waitForTask(t.id, { timeoutMs: 2000 })).status).toBe('completed');
    // Never more than 2 starts in any 1000 ms window.
    for (const [, at] of starts) expect(starts.filter(([, b]) => b > at - 1000 && b <= at).length).toBeLessThanOrEqual(2);
  });

  it('is journaled: kept across restarts without the option, removed by a hive opened with other limits; replay verifies', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(0);
    const starts: Array<[string, number]> = [];
    const open = (rateLimits?: Record<string, { max: number; perMs: number }>) =>
      createHive({
        dataDir,
        clock,
        logger: memoryLogger().logger,
        ...(rateLimits ? { rateLimits } : {}),
        handlers: {
          job: async (t) => {
            starts.push([t.id, clock.now()]);
            return null;
          },
        },
      });
    let hive = await open({ job: { max: 1, perMs: 60_000 } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'], maxConcurrent: 10 });
    const jobs = await hive.postTasks(Array.from({ length: 4 }, (_, i) => ({ id: `j${i}`, type: 'job' })));
    await hive.waitForTask('j0', { timeoutMs: 2000 });
    await hive.close();
    hive = await open(); // no option: the journaled limit holds
    await wait(30);
    expect(starts).toEqual([['j0', 0]]);
    clock.advance(60_000);
    await hive.waitForTask('j1', { timeoutMs: 2000 });
    expect(starts).toEqual([
      ['j0', 0],
      ['j1', 60_000],
    ]);
    await hive.close();
    hive = await open({}); // an empty option removes every limit
    for (const t of jobs) expect((await hive.waitForTask(t.id, { timeoutMs: 2000 })).status).toBe('completed');
    expect(starts.slice(2).sort()).toEqual([
      ['j2', 60_000],
      ['j3', 60_000],
    ]);
    await hive.close();
    const replay = await openReplay(dataDir);
    try {
      expect((await replay.verify()).actors).toBeGreaterThan(0);
    } finally {
      await replay.close();
    }
  });

  it('refuses malformed limits with a ValidationError', async () => {
    for (const rateLimits of [{ x: { max: 0, perMs: 1 } }, { x: { max: 1 } }, { x: { max: 1, perMs: 1, burst: 2 } }, { x: 5 }, 'fast']) {
      const err = await createHive({ dataDir: tempDir(), rateLimits: rateLimits as never }).catch((e) => e);
      expect(isHiveError(err, 'invalid_input'), JSON.stringify(rateLimits)).toBe(true);
    }
  });
});
