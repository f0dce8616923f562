import { describe, expect, it } from 'vitest';
import { ManualClock, TaskRejectedError, type Handler } from '../src/index.js';
import { gate, nextEvent, openHive, until } from './helpers.js';

describe('task lifecycle', () => {
  it('runs pending -> assigned -> running -> completed and emits each step in order', async () => {
    const hive = await openHive({ handlers: { echo: async (t) => ({ echoed: t.input }) } });
    const seen: string[] = [];
    hive.on('*', (e) => seen.push(e.type));
    await hive.spawnAgent({ id: 'a1', name: 'echoer', capabilities: ['echo'] });
    const posted = await hive.postTask({ type: 'echo', input: { n: 1 } });
    const done = await hive.waitForTask(posted.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'completed', output: { echoed: { n: 1 } }, attempts: 1, assignedTo: 'a1' });
    expect(seen).toEqual(['agent.registered', 'task.posted', 'task.assigned', 'task.started', 'task.completed']);
    expect(await hive.getAgent('a1')).toMatchObject({ status: 'idle', load: 0, succeeded: 1 });
  });

  it('retries failed attempts with exponential backoff, then succeeds', async () => {
    const clock = new ManualClock(1_000_000);
    let calls = 0;
    const hive = await openHive({
      clock,
      handlers: {
        flaky: async (_t, ctx) => {
          calls++;
          if (ctx.attempt < 3) throw Object.assign(new Error(`boom ${ctx.attempt}`), { code: 'flaky_io' });
          return 'ok';
        },
      },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['flaky'] });
    const retrying = nextEvent(hive, 'task.retrying');
    const t = await hive.postTask({ type: 'flaky', maxRetries: 3, backoffMs: 100 });
    const first = await retrying;
    expect(first).toMatchObject({ attempt: 1, retryAt: 1_000_100, error: { code: 'flaky_io', message: 'boom 1' } });
    expect((await hive.getTask(t.id)).status).toBe('retrying');
    const second = nextEvent(hive, 'task.retrying');
    clock.advance(99);
    expect((await hive.getTask(t.id)).status).toBe('retrying');
    clock.advance(1);
    expect(await second).toMatchObject({ attempt: 2, retryAt: 1_000_100 + 200 });
    clock.advance(200);
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'completed', output: 'ok', attempts: 3 });
    expect(done.error).toBeUndefined();
    expect(calls).toBe(3);
  });

  it('fails with the handler error once maxRetries is used up', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock, handlers: { bad: async () => Promise.reject(Object.assign(new Error('disk on fire'), { code: 'EFIRE' })) } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['bad'] });
    const t = await hive.postTask({ type: 'bad', maxRetries: 1, backoffMs: 10 });
    await nextEvent(hive, 'task.retrying');
    clock.advance(10);
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'EFIRE', message: 'disk on fire' } });
    expect(await hive.getAgent('w')).toMatchObject({ failed: 2, status: 'idle' });
  });

  it('aborts an attempt past timeoutMs through its signal; the last one ends timed_out', async () => {
    const clock = new ManualClock(0);
    const aborted: string[] = [];
    const slow: Handler = (_t, ctx) =>
      new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted.push(`attempt ${ctx.attempt}: ${String((ctx.signal.reason as Error).message)}`);
          reject(new Error('aborted'));
        });
      });
    const hive = await openHive({ clock, handlers: { slow } });
    await hive.spawnAgent({ name: 'w', capabilities: ['slow'] });
    const t = await hive.postTask({ type: 'slow', timeoutMs: 500, maxRetries: 1, backoffMs: 50 });
    const retrying = nextEvent(hive, 'task.retrying');
    clock.advance(500);
    expect(await retrying).toMatchObject({ error: { code: 'timeout' } });
    clock.advance(50);
    await until(async () => (await hive.getTask(t.id)).status === 'running' && (await hive.getTask(t.id)).attempts === 2);
    clock.advance(500);
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'timed_out', attempts: 2, error: { code: 'timeout' } });
    await until(() => aborted.length === 2);
    expect(aborted[0]).toMatch(/attempt 1: .*timeout/);
  });

  it('verifies a completed task: pass ends verified, fail retries then fails', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({
      clock,
      handlers: { calc: async (t) => (t.input as number) * 2 },
      verifiers: { calc: (t) => (t.output === 4 ? true : { ok: false, reason: `expected 4, got ${String(t.output)}` }) },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['calc'] });
    const good = await hive.postTask({ type: 'calc', input: 2, verify: true });
    const events: string[] = [];
    hive.on('*', (e) => e.taskId === good.id && events.push(e.type));
    expect(await hive.waitForTask(good.id, { timeoutMs: 5000 })).toMatchObject({ status: 'verified', output: 4 });
    const bad = await hive.postTask({ type: 'calc', input: 3, verify: true, maxRetries: 1, backoffMs: 10 });
    const retrying = await nextEvent(hive, 'task.retrying', (e) => e.taskId === bad.id);
    expect(retrying).toMatchObject({ error: { code: 'verification_failed', message: 'expected 4, got 6' } });
    clock.advance(10);
    expect(await hive.waitForTask(bad.id, { timeoutMs: 5000 })).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'verification_failed' } });
  });

  it('a verify task with no verifier registered fails with a clear reason', async () => {
    const hive = await openHive({ handlers: { x: async () => 1 } });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x', verify: true, maxRetries: 0 });
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done.status).toBe('failed');
    expect(done.error?.message).toMatch(/no verifier is registered for task type "x"/);
  });

  it('a verifier returning something other than a verdict fails verification with a reason, never crashes', async () => {
    const hive = await openHive({ handlers: { x: async () => 1 }, verifiers: { x: () => undefined as never } });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x', verify: true, maxRetries: 0 });
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'failed', error: { code: 'verification_failed' } });
    expect(done.error?.message).toMatch(/returned undefined; it must return true, false or \{ ok, reason\? \}/);
  });

  it('rejection excludes the agent; when no capable agent is left the task ends rejected', async () => {
    const picky: Handler = async (_t, ctx) => {
      if (ctx.agentId !== 'b') throw new TaskRejectedError('not my kind of work');
      return 'done by b';
    };
    const hive = await openHive({ handlers: { job: picky } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['job'], priority: 'critical' });
    await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['job'] });
    const t = await hive.postTask({ type: 'job' });
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'done by b', attempts: 2 });

    await hive.spawnAgent({ id: 'c', name: 'c', capabilities: ['solo'], handler: async () => Promise.reject(new TaskRejectedError('never')) });
    const lone = await hive.postTask({ type: 'solo' });
    const done = await hive.waitForTask(lone.id, { timeoutMs: 5000 });
    expect(done.status).toBe('rejected');
    expect(done.error).toMatchObject({ code: 'rejected', message: 'agent c rejected the task: never' });
  });

  it('reports progress and checkpoints; a retry sees the last checkpoint', async () => {
    const clock = new ManualClock(0);
    const seen: unknown[] = [];
    const hive = await openHive({
      clock,
      handlers: {
        long: async (_t, ctx) => {
          seen.push(ctx.lastCheckpoint ?? null);
          await ctx.progress(50, 'half way');
          await ctx.checkpoint({ step: ctx.attempt });
          if (ctx.attempt === 1) throw new Error('crash after checkpoint');
          return 'finished';
        },
      },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['long'] });
    const progress = nextEvent(hive, 'task.progress');
    const t = await hive.postTask({ type: 'long', backoffMs: 5 });
    expect(await progress).toMatchObject({ taskId: t.id, pct: 50, note: 'half way' });
    await nextEvent(hive, 'task.retrying');
    clock.advance(5);
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'completed', checkpoint: { step: 2 }, progress: { pct: 50, note: 'half way' } });
    expect(seen).toEqual([null, { step: 1 }]);
  });

  it('a handler returning non-JSON fails the attempt with bad_output', async () => {
    const hive = await openHive({ handlers: { odd: async () => ({ when: new Date(0) }) as never } });
    await hive.spawnAgent({ name: 'w', capabilities: ['odd'] });
    const t = await hive.postTask({ type: 'odd', maxRetries: 0 });
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({ status: 'failed', error: { code: 'bad_output' } });
    expect(done.error?.message).toMatch(/Date/);
  });

  it('cancels pending and running tasks; the running handler sees its signal abort', async () => {
    const started = gate();
    let abortedWith: unknown;
    const hive = await openHive({
      handlers: {
        wait: (_t, ctx) =>
          new Promise((_, reject) => {
            started.open();
            ctx.signal.addEventListener('abort', () => {
              abortedWith = ctx.signal.reason;
              reject(new Error('stopped'));
            });
          }),
      },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['wait'] });
    const running = await hive.postTask({ type: 'wait' });
    const queued = await hive.postTask({ type: 'wait' });
    await started.promise;
    expect((await hive.cancelTask(queued.id)).status).toBe('cancelled');
    expect((await hive.cancelTask(running.id)).status).toBe('cancelled');
    expect(String((abortedWith as Error).message)).toMatch(/cancelled/);
    expect(await hive.getAgent('w')).toMatchObject({ load: 0, status: 'idle', failed: 0 });
  });

  it('owner-only cancel: the owner may cancel, anyone else gets access denied, finished tasks say so', async () => {
    const hive = await openHive();
    const t = await hive.postTask({ type: 'nobody-runs-this', owner: 'alice' });
    await expect(hive.cancelTask(t.id, { by: 'bob' })).rejects.toMatchObject({ code: 'access_denied' });
    await expect(hive.cancelTask(t.id)).rejects.toMatchObject({ code: 'access_denied' });
    expect((await hive.getTask(t.id)).status).toBe('pending');
    expect((await hive.cancelTask(t.id, { by: 'alice' })).status).toBe('cancelled');
    await expect(hive.cancelTask(t.id, { by: 'alice' })).rejects.toMatchObject({ code: 'already_finished' });
  });

  it('a task no agent can run waits, and runs once a capable agent registers', async () => {
    const hive = await openHive({ handlers: { rare: async () => 'finally' } });
    const t = await hive.postTask({ type: 'rare' });
    await hive.spawnAgent({ name: 'other', capabilities: ['common'] });
    expect((await hive.getTask(t.id)).status).toBe('pending');
    await hive.spawnAgent({ name: 'rare-one', capabilities: ['rare'] });
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'finally' });
  });

  it('postTask with a known idempotencyKey returns the existing task', async () => {
    const hive = await openHive();
    const [a, b] = await Promise.all([hive.postTask({ type: 'x', idempotencyKey: 'k1' }), hive.postTask({ type: 'x', idempotencyKey: 'k1' })]);
    const c = await hive.postTask({ type: 'x', idempotencyKey: 'k1', input: 'ignored' });
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    await hive.checkpoint();
    expect((await hive.postTask({ type: 'x', idempotencyKey: 'k1' })).id).toBe(a.id);
    expect((await hive.status()).tasks.total).toBe(1);
  });

  it('waitForTask times out with a typed error naming the status', async () => {
    const hive = await openHive();
    const t = await hive.postTask({ type: 'never' });
    await expect(hive.waitForTask(t.id, { timeoutMs: 20 })).rejects.toMatchObject({ code: 'wait_timeout', message: expect.stringContaining('still pending') });
  });
});

describe('task state is read-only to handlers and callers', () => {
  it('refuses changes to the input a handler sees and to the output a caller reads', async () => {
    const hive = await openHive({
      handlers: {
        t: async (task) => {
          (task.input as { list: number[] }).list.push(3);
          return { ok: true };
        },
      },
    });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['t'] });
    const t = await hive.postTask({ type: 't', input: { list: [1, 2] }, maxRetries: 0 });
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done.status).toBe('failed');
    expect(done.error?.message).toMatch(/not extensible|read.only|frozen/i);
    expect((await hive.getTask(t.id)).input).toEqual({ list: [1, 2] });
    await hive.close();
  });
});
