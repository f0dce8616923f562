/** @module Signals: `ctx.waitForSignal` suspends an attempt durably; `hive.signal` resumes the task with the value. */
import { describe, expect, it } from 'vitest';
import { AttemptSuspendedError, createHive, isHiveError, ManualClock, SignalTimeoutError, type Handler } from '../src/index.js';
import { memoryLogger, nextEvent, openHive, tempDir, until } from './helpers.js';

/** Deploys after a person approves: step 1 is checkpointed, so the resumed attempt skips it. */
const deploy =
  (log: string[]): Handler =>
  async (_task, ctx) => {
    if (ctx.lastCheckpoint === undefined) {
      log.push(`build ${ctx.attempt}`);
      await ctx.checkpoint({ built: true });
    }
    const approval = (await ctx.waitForSignal('approve')) as { ok: boolean; by: string };
    log.push(`deploy ${ctx.attempt} ${approval.by}`);
    return { deployed: approval.ok, by: approval.by, signals: ctx.signals };
  };

describe('signals', () => {
  it('waitForSignal ends the attempt (task waiting, agent free); hive.signal resumes it with the value', async () => {
    const log: string[] = [];
    const hive = await openHive({ handlers: { deploy: deploy(log) } });
    await hive.spawnAgent({ id: 'ops', name: 'ops', capabilities: ['deploy'] });
    const waiting = nextEvent(hive, 'task.waiting');
    const t = await hive.postTask({ type: 'deploy', timeoutMs: 1000 });
    expect(await waiting).toMatchObject({ taskId: t.id, signal: 'approve', attempt: 1 });
    const w = await hive.getTask(t.id);
    expect(w).toMatchObject({ status: 'waiting', waitingForSignal: { name: 'approve' }, attempts: 1 });
    expect(w.assignedTo).toBeUndefined();
    expect(await hive.getAgent('ops')).toMatchObject({ status: 'idle', load: 0 });
    expect((await hive.status()).timers).toBe(0); // the attempt's timeoutMs does not run while it waits

    const signalled = nextEvent(hive, 'task.signalled');
    await hive.signal(t.id, 'approve', { ok: true, by: 'alice' });
    expect(await signalled).toMatchObject({ taskId: t.id, signal: 'approve' });
    const done = await hive.waitForTask(t.id, { timeoutMs: 3000 });
    expect(done).toMatchObject({ status: 'completed', attempts: 2, output: { deployed: true, by: 'alice', signals: { approve: { ok: true, by: 'alice' } } } });
    expect(log).toEqual(['build 1', 'deploy 2 alice']);
    expect(done.signals).toEqual({ approve: { ok: true, by: 'alice' } });
  });

  it('a signal sent before the handler waits is kept: waitForSignal returns it at once, in the same attempt', async () => {
    const log: string[] = [];
    const hive = await openHive({ handlers: { deploy: deploy(log) } });
    const t = await hive.postTask({ type: 'deploy' });
    await hive.signal(t.id, 'approve', { ok: false, by: 'bob' });
    await hive.spawnAgent({ name: 'ops', capabilities: ['deploy'] });
    expect(await hive.waitForTask(t.id, { timeoutMs: 3000 })).toMatchObject({ status: 'completed', attempts: 1, output: { deployed: false, by: 'bob' } });
    expect(log).toEqual(['build 1', 'deploy 1 bob']);
  });

  it('a signal that arrives while the attempt runs (before it waits) is not lost', async () => {
    let release!: () => void;
    const reached = new Promise<void>((r) => (release = r));
    let go!: () => void;
    const proceed = new Promise<void>((r) => (go = r));
    const hive = await openHive({
      handlers: {
        x: async (_t, ctx) => {
          release();
          await proceed;
          return { value: await ctx.waitForSignal('go'), attempt: ctx.attempt };
        },
      },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x' });
    await reached;
    await hive.signal(t.id, 'go', 42);
    go();
    expect(await hive.waitForTask(t.id, { timeoutMs: 3000 })).toMatchObject({ status: 'completed', output: { value: 42, attempt: 1 } });
  });

  it('rejects the suspended call with AttemptSuspendedError; a timeout re-queues the task and throws SignalTimeoutError there', async () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    const hive = await openHive({
      clock,
      handlers: {
        ask: async (_t, ctx) => {
          try {
            return { answer: await ctx.waitForSignal('answer', { timeoutMs: 5000 }), attempt: ctx.attempt };
          } catch (err) {
            errors.push(err);
            if (err instanceof SignalTimeoutError) return { answer: 'default', attempt: ctx.attempt };
            throw err;
          }
        },
      },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['ask'] });
    const t = await hive.postTask({ type: 'ask' });
    await until(async () => (await hive.getTask(t.id)).status === 'waiting');
    expect((await hive.getTask(t.id)).waitingForSignal).toEqual({ name: 'answer', until: 5000 });
    expect(errors[0]).toBeInstanceOf(AttemptSuspendedError);
    clock.advance(4999);
    await new Promise((r) => setTimeout(r, 20));
    expect((await hive.getTask(t.id)).status).toBe('waiting');
    clock.advance(1);
    expect(await hive.waitForTask(t.id, { timeoutMs: 3000 })).toMatchObject({
      status: 'completed',
      output: { answer: 'default', attempt: 2 },
      signalTimeouts: ['answer'],
    });
    expect(errors[1]).toBeInstanceOf(SignalTimeoutError);
  });

  it('a waiting task can be cancelled; signals to finished or unknown tasks and bad names are typed errors', async () => {
    const hive = await openHive({ handlers: { x: async (_t, ctx) => ctx.waitForSignal('go') } });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'] });
    const t = await hive.postTask({ type: 'x' });
    await until(async () => (await hive.getTask(t.id)).status === 'waiting');
    expect((await hive.cancelTask(t.id)).status).toBe('cancelled');
    const finished = await hive.signal(t.id, 'go', 1).catch((e) => e);
    expect(isHiveError(finished, 'already_finished')).toBe(true);
    expect(finished.message).toContain('only unfinished tasks can be signalled');
    expect(isHiveError(await hive.signal('nope', 'go', 1).catch((e) => e), 'not_found')).toBe(true);
    const other = await hive.postTask({ type: 'nobody' });
    expect(isHiveError(await hive.signal(other.id, '', 1).catch((e) => e), 'invalid_input')).toBe(true);
    expect(isHiveError(await hive.signal(other.id, 'go', (() => 1) as never).catch((e) => e), 'invalid_input')).toBe(true);
  });

  it('a signal sent while no process runs the hive is journaled and delivered after the restart', async () => {
    const dataDir = tempDir();
    const log: string[] = [];
    const open = (handlers = true) => createHive({ dataDir, logger: memoryLogger().logger, ...(handlers ? { handlers: { deploy: deploy(log) } } : {}) });
    let hive = await open();
    await hive.spawnAgent({ id: 'ops', name: 'ops', capabilities: ['deploy'] });
    const t = await hive.postTask({ id: 'deploy-1', type: 'deploy' });
    await until(async () => (await hive.getTask(t.id)).status === 'waiting');
    await hive.close();
    hive = await open(false); // another program (or `hivestate signal`) with no handlers
    await hive.signal('deploy-1', 'approve', { ok: true, by: 'carol' });
    await hive.close();
    hive = await open();
    expect(await hive.waitForTask('deploy-1', { timeoutMs: 3000 })).toMatchObject({ status: 'completed', output: { deployed: true, by: 'carol' } });
    expect(log).toEqual(['build 1', expect.stringMatching(/^deploy \d+ carol$/)]);
    await hive.close();
  });
});
