import { describe, expect, it } from 'vitest';
import { createHive, ManualClock } from '../src/index.js';
import { HiveStore } from '../src/store/HiveStore.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

describe('passivation and retention', () => {
  it('finished tasks leave memory at the checkpoint; queries still find them', async () => {
    const hive = await openHive({ handlers: { x: async (t) => t.input } });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'], maxConcurrent: 4 });
    const tasks = await hive.postTasks(Array.from({ length: 20 }, (_, i) => ({ id: `t${i}`, type: 'x', input: i, owner: i % 2 ? 'odd' : 'even' })));
    await Promise.all(tasks.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
    await hive.postTask({ id: 'open', type: 'nobody' });
    expect((await hive.status()).liveTasks).toBeGreaterThan(1);
    await hive.checkpoint();
    const s = await hive.status();
    expect(s.liveTasks).toBe(1);
    expect(s.tasks).toMatchObject({ total: 21, completed: 20, pending: 1 });
    expect(await hive.getTask('t7')).toMatchObject({ status: 'completed', output: 7 });
    const completed = await hive.listTasks({ status: 'completed', limit: 5 });
    expect(completed.map((t) => t.id)).toEqual(['t19', 't18', 't17', 't16', 't15']);
    expect((await hive.listTasks({ limit: 3 })).map((t) => t.id)).toEqual(['open', 't19', 't18']);
    expect((await hive.listTasks({ owner: 'odd', limit: 100 })).length).toBe(10);
    expect(await hive.listTasks({ status: 'failed' })).toEqual([]);
  });

  it('prune removes finished records older than the retention window, keeps the rest, and survives reopen', async () => {
    const clock = new ManualClock(1_000_000_000);
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger, retentionMs: 60_000, handlers: { x: async () => 1 } });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'] });
    await hive.postTasks([
      { id: 'old-1', type: 'x', idempotencyKey: 'old-key' },
      { id: 'old-2', type: 'x' },
    ]);
    await hive.waitForTask('old-2', { timeoutMs: 5000 });
    await hive.checkpoint();
    clock.advance(120_000);
    await hive.postTask({ id: 'new', type: 'x' });
    await hive.waitForTask('new', { timeoutMs: 5000 });
    await hive.postTask({ id: 'unfinished', type: 'nobody' });
    await hive.checkpoint();
    expect(await hive.prune()).toBe(2);
    await expect(hive.getTask('old-1')).rejects.toMatchObject({ code: 'not_found' });
    expect((await hive.status()).tasks).toMatchObject({ total: 2, completed: 1, pending: 1 });
    // The key of a pruned task is free again.
    expect((await hive.postTask({ type: 'nobody', idempotencyKey: 'old-key' })).id).not.toBe('old-1');
    await hive.close();
    const again = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger });
    try {
      await expect(again.getTask('old-2')).rejects.toMatchObject({ code: 'not_found' });
      expect((await again.getTask('new')).status).toBe('completed');
      expect((await again.status()).tasks.total).toBe(3);
    } finally {
      await again.close();
    }
  });

  it('compactJournal drops journal records older than the window; the hive still reopens intact', async () => {
    const clock = new ManualClock(5_000_000);
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger, retentionMs: 1000, handlers: { x: async (t) => t.input } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['x'] });
    for (let i = 0; i < 5; i++) await hive.waitForTask((await hive.postTask({ id: `old${i}`, type: 'x', input: i })).id, { timeoutMs: 5000 });
    clock.advance(5000);
    await hive.postTask({ id: 'recent', type: 'x', input: 'r' });
    await hive.waitForTask('recent', { timeoutMs: 5000 });
    const last = (await hive.status()).lastSeq;
    expect(await hive.prune({ compactJournal: true })).toBe(5);
    await hive.close();
    const store = HiveStore.open(dir, { readOnly: true });
    const start = store.journalStart();
    const kept = [...store.journalAfter(0)].map((r) => r.seq);
    await store.close();
    expect(start).toBeGreaterThan(10);
    expect(kept[0]).toBe(start);
    expect(kept.at(-1)).toBeGreaterThanOrEqual(last);
    const again = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger });
    try {
      expect(await again.getTask('recent')).toMatchObject({ status: 'completed', output: 'r' });
      expect((await again.status()).tasks).toEqual({ total: 1, completed: 1 });
      await expect(again.prune({ compactJournal: 'yes' as never })).rejects.toMatchObject({ code: 'invalid_input' });
    } finally {
      await again.close();
    }
  });
});

describe('stored task counts', () => {
  it('reopening reads exact counts kept by the checkpoints, including after pruning', async () => {
    const clock = new ManualClock(9_000_000);
    const dir = tempDir();
    const hive = await createHive({
      dataDir: dir,
      clock,
      logger: memoryLogger().logger,
      retentionMs: 10,
      handlers: { ok: async () => 1, bad: async () => Promise.reject(new Error('no')) },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['ok', 'bad'], maxConcurrent: 4 });
    const tasks = await hive.postTasks([
      ...Array.from({ length: 6 }, () => ({ type: 'ok' })),
      ...Array.from({ length: 3 }, () => ({ type: 'bad', maxRetries: 0 })),
    ]);
    await Promise.all(tasks.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
    await hive.postTask({ id: 'open', type: 'nobody' });
    // Prune while the finished tasks' checkpoint may still be in flight.
    const pending = hive.checkpoint();
    clock.advance(100);
    expect(await hive.prune()).toBe(9);
    await pending;
    const live = await hive.status();
    await hive.close();
    const again = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger });
    try {
      expect((await again.status()).tasks).toEqual(live.tasks);
      expect(live.tasks).toEqual({ total: 1, pending: 1 });
    } finally {
      await again.close();
    }
    const store = HiveStore.open(dir, { readOnly: true });
    expect([...store.taskIds()].map((t) => t.id)).toEqual(['open']);
    expect([...store.taskIds('completed')]).toEqual([]);
    await store.close();
  });
});
