/** @module Delayed tasks: `runAt` / `delayMs` hold a task in `delayed` (a durable timer) until then. */
import { describe, expect, it } from 'vitest';
import { ManualClock, createHive, isHiveError } from '../src/index.js';
import { memoryLogger, openHive, tempDir, until } from './helpers.js';

describe('delayed tasks', () => {
  it('holds a task with delayMs until the time comes, then runs it; cancel works while it waits', async () => {
    const clock = new ManualClock(1_000_000);
    const started: number[] = [];
    const hive = await openHive({
      clock,
      handlers: {
        mail: async () => {
          started.push(clock.now());
          return 'sent';
        },
      },
    });
    await hive.spawnAgent({ id: 'm', name: 'mailer', capabilities: ['mail'] });
    const t = await hive.postTask({ type: 'mail', delayMs: 5000, priority: 'high', deadline: 9_000_000 });
    expect(t).toMatchObject({ status: 'delayed', runAt: 1_005_000, priority: 5, deadline: 9_000_000 });
    const other = await hive.postTask({ type: 'mail', runAt: 1_002_000 });
    expect(other.status).toBe('delayed');
    const gone = await hive.postTask({ type: 'mail', delayMs: 1000 });
    expect((await hive.cancelTask(gone.id)).status).toBe('cancelled');

    clock.advance(1999);
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual([]);
    expect((await hive.getTask(other.id)).status).toBe('delayed');
    clock.advance(1);
    expect((await hive.waitForTask(other.id, { timeoutMs: 2000 })).status).toBe('completed');
    expect(started).toEqual([1_002_000]);
    clock.advance(2999);
    await new Promise((r) => setTimeout(r, 20));
    expect((await hive.getTask(t.id)).status).toBe('delayed');
    clock.advance(1);
    expect(await hive.waitForTask(t.id, { timeoutMs: 2000 })).toMatchObject({ status: 'completed', attempts: 1 });
    expect(started).toEqual([1_002_000, 1_005_000]);
    expect((await hive.status()).timers).toBe(0);
  });

  it('a delayed task that no agent can run is announced unassignable when its time comes, not before', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock });
    const seen: Array<[string, unknown]> = [];
    hive.on('task.unassignable', (e) => seen.push([String(e.taskId), e.waitingFor]));
    const t = await hive.postTask({ id: 'later', type: 'nobody', delayMs: 100 });
    expect(t.waitingFor).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    clock.advance(100);
    await until(async () => (await hive.getTask('later')).waitingFor === 'capability');
    expect(seen).toEqual([['later', 'capability']]);
  });

  it('a runAt in the past (or delayMs 0) queues the task at once', async () => {
    const hive = await openHive({ handlers: { x: async () => 'ok' } });
    await hive.spawnAgent({ name: 'x', capabilities: ['x'] });
    const a = await hive.postTask({ type: 'x', runAt: Date.now() - 1000 });
    const b = await hive.postTask({ type: 'x', delayMs: 0 });
    expect((await hive.waitForTask(a.id, { timeoutMs: 2000 })).status).toBe('completed');
    expect((await hive.waitForTask(b.id, { timeoutMs: 2000 })).status).toBe('completed');
  });

  it('waits for both its time and its dependencies', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock, handlers: { x: async (t) => t.id } });
    await hive.spawnAgent({ name: 'x', capabilities: ['x'] });
    const dep = await hive.postTask({ id: 'dep', type: 'y' }); // nobody runs 'y' yet
    const t = await hive.postTask({ id: 'late', type: 'x', dependsOn: ['dep'], delayMs: 100 });
    clock.advance(100);
    await until(async () => (await hive.getTask(t.id)).status === 'pending');
    expect((await hive.getTask(t.id)).status).toBe('pending');
    await hive.cancelTask(dep.id);
    expect((await hive.waitForTask(t.id, { timeoutMs: 2000 })).error?.code).toBe('dependency_failed');
  });

  it('refuses runAt together with delayMs, and bad values, with a ValidationError', async () => {
    const hive = await openHive();
    for (const bad of [{ runAt: 1, delayMs: 1 }, { delayMs: -1 }, { delayMs: 1.5 }, { runAt: 'tomorrow' }]) {
      const err = await hive.postTask({ type: 'x', ...(bad as object) }).catch((e) => e);
      expect(isHiveError(err, 'invalid_input'), JSON.stringify(bad)).toBe(true);
    }
    expect((await hive.status()).tasks.total).toBe(0);
  });

  it('survives a restart: not started early, not lost, fired once the hive is back after its time', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(10_000);
    const open = () =>
      createHive({ dataDir, clock, logger: memoryLogger().logger, handlers: { x: async (_t, ctx) => ({ at: clock.now(), attempt: ctx.attempt }) } });
    let hive = await open();
    await hive.spawnAgent({ id: 'x', name: 'x', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x', delayMs: 60_000 });
    await hive.close();
    clock.advance(30_000);
    hive = await open();
    await new Promise((r) => setTimeout(r, 30));
    expect((await hive.getTask(t.id)).status).toBe('delayed');
    await hive.close();
    clock.advance(60_000); // past its time while nothing runs
    hive = await open();
    clock.advance(0); // a ManualClock runs the overdue host timer only when it moves
    expect(await hive.waitForTask(t.id, { timeoutMs: 2000 })).toMatchObject({ status: 'completed', output: { at: 100_000, attempt: 1 } });
    await hive.close();
  });
});
