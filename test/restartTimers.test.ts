import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, systemClock, type Clock, type Hive, type HiveOptions } from '../src/index.js';
import { startChildHive } from './childHive.js';
import { memoryLogger, openHive, settle, sleep, tempDir, until } from './helpers.js';

/** The wall clock moved forward by `ms`: a restart that happens `ms` later than it really does. */
const later = (ms: number): Clock => ({ now: () => Date.now() + ms, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout });

async function reopen(dataDir: string, clock: Clock, handlers: HiveOptions['handlers']): Promise<Hive> {
  return createHive({ dataDir, clock, handlers, logger: memoryLogger().logger });
}

describe('durable timers', () => {
  it('a heartbeat is due heartbeatMs after registration, before any heartbeat() call', async () => {
    const clock = new ManualClock(1_000_000);
    const hive = await openHive({ clock });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['x'], heartbeatMs: 1000 });
    clock.advance(999);
    await settle();
    expect((await hive.getAgent('w')).status).toBe('idle');
    clock.advance(1);
    await until(async () => (await hive.getAgent('w')).status === 'error');
    expect(await hive.getAgent('w')).toMatchObject({ errorReason: 'missed heartbeat' });
  });
});

describe('durable timers across a kill -9 and a restart', () => {
  it('a re-dispatched attempt gets its own full timeoutMs, not what was left before the process died', async () => {
    const dataDir = join(tempDir(), 'data');
    const child = startChildHive({
      dataDir,
      handlerTypes: ['slow'],
      agents: [{ id: 'w', name: 'w', capabilities: ['slow'] }],
      tasks: [{ id: 't', type: 'slow', timeoutMs: 5000, maxRetries: 0 }],
    });
    await child.waitFor(/^started t 1$/);
    await child.kill9();

    // The restart comes 6 s after the attempt started: the old attempt's timeout is long overdue.
    const hive = await reopen(dataDir, later(6000), {
      slow: async (_t, ctx) => {
        await sleep(200);
        return `done on attempt ${ctx.attempt}`;
      },
    });
    try {
      const done = await hive.waitForTask('t', { timeoutMs: 5000 });
      expect(done).toMatchObject({ status: 'completed', output: 'done on attempt 2', attempts: 2, redispatches: 1 });
    } finally {
      await hive.close();
    }
  });

  it('a heartbeat window starts again when the hive reopens: the time the process was down is not a missed heartbeat', async () => {
    const dataDir = join(tempDir(), 'data');
    const child = startChildHive({
      dataDir,
      handlerTypes: ['slow'],
      agents: [{ id: 'w', name: 'w', capabilities: ['slow'], heartbeatMs: 1500 }],
      tasks: [{ id: 't', type: 'slow' }],
    });
    await child.waitFor(/^started t 1$/);
    await child.kill9();

    const started: number[] = [];
    const hive = await reopen(dataDir, later(10_000), {
      slow: (_t, ctx) => {
        started.push(ctx.attempt);
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    });
    try {
      await until(() => started.length > 0);
      await sleep(300);
      expect(await hive.getAgent('w')).toMatchObject({ status: 'busy', tasks: ['t'] });
      expect(await hive.getTask('t')).toMatchObject({ status: 'running', attempts: 2 });
      // The heartbeat is still enforced, from the reopen on.
      await until(async () => (await hive.getAgent('w')).status === 'error', 4000);
      expect((await hive.getAgent('w')).errorReason).toBe('missed heartbeat');
    } finally {
      await hive.close();
    }
  });
});
