/** @module Manual retry: `hive.retryTask` takes a failed, timed-out or rejected task back to the queue as a new attempt. */
import { describe, expect, it } from 'vitest';
import { createHive, isHiveError, ManualClock, TaskRejectedError } from '../src/index.js';
import { memoryLogger, nextEvent, openHive, tempDir } from './helpers.js';

describe('retryTask', () => {
  it('retries a failed task as a new attempt with fresh automatic retries, emitting task.retried', async () => {
    let fail = true;
    const hive = await openHive({
      handlers: {
        flaky: async (_t, ctx) => {
          if (fail) throw Object.assign(new Error('disk full'), { code: 'enospc' });
          return { attempt: ctx.attempt, resumedFrom: ctx.lastCheckpoint ?? null };
        },
      },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['flaky'] });
    const t = await hive.postTask({ type: 'flaky', maxRetries: 1, backoffMs: 0 });
    const failed = await hive.waitForTask(t.id, { timeoutMs: 3000 });
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'enospc' } });
    await hive.checkpoint(); // the finished task leaves memory: retry reads it back from the store

    fail = false;
    const retried = nextEvent(hive, 'task.retried');
    const back = await hive.retryTask(t.id);
    expect(['pending', 'assigned', 'running', 'completed']).toContain(back.status);
    expect(back.error).toBeUndefined();
    expect(await retried).toMatchObject({ taskId: t.id, attempt: 2 });
    expect(await hive.waitForTask(t.id, { timeoutMs: 3000 })).toMatchObject({ status: 'completed', attempts: 3, output: { attempt: 3, resumedFrom: null } });
    expect(await hive.listTasks({ status: 'failed' })).toEqual([]);
    expect((await hive.status()).tasks).toMatchObject({ total: 1, completed: 1 });
  });

  it('retries timed-out and rejected tasks; a rejected task may go to the agents that refused it', async () => {
    const clock = new ManualClock(0);
    let refuse = true;
    const hive = await openHive({
      clock,
      handlers: {
        slow: (_t, ctx) => new Promise((resolve) => (refuse ? ctx.signal.addEventListener('abort', () => resolve(null)) : resolve('fast now'))),
        picky: async () => {
          if (refuse) throw new TaskRejectedError('not today');
          return 'ok';
        },
      },
    });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['slow', 'picky'] });
    const slow = await hive.postTask({ type: 'slow', timeoutMs: 100, maxRetries: 0 });
    const picky = await hive.postTask({ type: 'picky' });
    clock.advance(100);
    expect((await hive.waitForTask(slow.id, { timeoutMs: 2000 })).status).toBe('timed_out');
    expect((await hive.waitForTask(picky.id, { timeoutMs: 2000 })).status).toBe('rejected');
    refuse = false;
    await hive.retryTask(slow.id);
    await hive.retryTask(picky.id);
    expect(await hive.waitForTask(slow.id, { timeoutMs: 2000 })).toMatchObject({ status: 'completed', output: 'fast now', attempts: 2 });
    expect(await hive.waitForTask(picky.id, { timeoutMs: 2000 })).toMatchObject({ status: 'completed', output: 'ok', attempts: 2 });
  });

  it('refuses unfinished, completed and cancelled tasks, unknown ids and other owners with typed errors', async () => {
    const hive = await openHive({ handlers: { ok: async () => 'ok', bad: async () => Promise.reject(new Error('no')) } });
    await hive.spawnAgent({ name: 'w', capabilities: ['ok', 'bad'] });
    const done = await hive.postTask({ type: 'ok' });
    await hive.waitForTask(done.id);
    const waiting = await hive.postTask({ type: 'nobody' });
    const cancelled = await hive.postTask({ type: 'nobody' });
    await hive.cancelTask(cancelled.id);
    const owned = await hive.postTask({ type: 'bad', owner: 'alice', maxRetries: 0 });
    await hive.waitForTask(owned.id);
    for (const [id, status] of [
      [done.id, 'completed'],
      [waiting.id, 'pending'],
      [cancelled.id, 'cancelled'],
    ] as const) {
      const err = await hive.retryTask(id).catch((e) => e);
      expect(isHiveError(err, 'not_retryable')).toBe(true);
      expect(err.message).toContain(`is ${status}; only failed, timed_out or rejected tasks can be retried`);
    }
    expect(isHiveError(await hive.retryTask('nope').catch((e) => e), 'not_found')).toBe(true);
    expect(isHiveError(await hive.retryTask(owned.id).catch((e) => e), 'access_denied')).toBe(true);
    expect(isHiveError(await hive.retryTask(owned.id, { by: 'bob' }).catch((e) => e), 'access_denied')).toBe(true);
    expect(isHiveError(await hive.retryTask(owned.id, { who: 'alice' } as never).catch((e) => e), 'invalid_input')).toBe(true);
    expect((await hive.retryTask(owned.id, { by: 'alice' })).status).not.toBe('failed');
  });

  it('a task failed by its dependency is retried once that dependency is retried (and waits for it)', async () => {
    let ok = false;
    const hive = await openHive({ handlers: { step: async (t) => (ok ? t.id : Promise.reject(new Error('broken'))) } });
    await hive.spawnAgent({ name: 'w', capabilities: ['step'] });
    await hive.postTask({ id: 'first', type: 'step', maxRetries: 0 });
    const second = await hive.postTask({ id: 'second', type: 'step', dependsOn: ['first'] });
    expect((await hive.waitForTask(second.id)).error?.code).toBe('dependency_failed');
    const err = await hive.retryTask('second').catch((e) => e);
    expect(isHiveError(err, 'not_retryable')).toBe(true);
    expect(err.message).toContain('its dependency "first" ended failed (retry that first)');
    ok = true;
    await hive.retryTask('first');
    await hive.retryTask('second');
    expect((await hive.waitForTask('second', { timeoutMs: 3000 })).status).toBe('completed');
    expect((await hive.getTask('first')).status).toBe('completed');
  });

  it('a retry survives a restart before the next checkpoint (replayed from the journal)', async () => {
    const dataDir = tempDir();
    let fail = true;
    const open = () =>
      createHive({
        dataDir,
        logger: memoryLogger().logger,
        checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 },
        handlers: { x: async () => (fail ? Promise.reject(new Error('x')) : 'ok') },
      });
    let hive = await open();
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x', maxRetries: 0 });
    await hive.waitForTask(t.id);
    await hive.checkpoint();
    await hive.pauseAgent('w');
    await hive.retryTask(t.id);
    expect((await hive.getTask(t.id)).status).toBe('pending');
    await hive.close();
    fail = false;
    hive = await open();
    expect((await hive.getTask(t.id)).status).toBe('pending');
    await hive.resumeAgent('w');
    expect(await hive.waitForTask(t.id, { timeoutMs: 3000 })).toMatchObject({ status: 'completed', attempts: 2 });
    await hive.close();
  });
});
