/** @module Handoff: `ctx.handoff(agentId, state)` continues a task on another agent; each refusal is a typed error. */
import { describe, expect, it } from 'vitest';
import { HandoffRefusedError, isHiveError, type Handler, type HiveEvent, type Json } from '../src/index.js';
import { gate, openHive, sleep, until } from './helpers.js';

describe('ctx.handoff', () => {
  it('ends the attempt and continues the task on the target, which sees the state as lastCheckpoint', async () => {
    const events: HiveEvent[] = [];
    const aborted = gate<string>();
    const go = gate();
    const seenByB: Array<{ attempt: number; lastCheckpoint: Json | undefined; agentId: string }> = [];
    const draft: Handler = async (_t, ctx) => {
      await ctx.checkpoint({ step: 1 });
      ctx.signal.addEventListener('abort', () => aborted.open(String((ctx.signal.reason as Error).message)));
      await go.promise;
      await ctx.handoff('reviewer', { step: 2, text: 'draft' });
      return 'dropped: this attempt ended';
    };
    const review: Handler = async (_t, ctx) => {
      seenByB.push({ attempt: ctx.attempt, lastCheckpoint: ctx.lastCheckpoint, agentId: ctx.agentId });
      return { reviewed: (ctx.lastCheckpoint as { text: string }).text };
    };
    const hive = await openHive({ on: { '*': (e) => events.push(e) } });
    await hive.spawnAgent({ id: 'writer', name: 'writer', capabilities: ['doc'], handler: draft });
    await hive.spawnAgent({ id: 'reviewer', name: 'reviewer', capabilities: ['doc'], handler: review });
    await hive.pauseAgent('reviewer');
    const t = await hive.postTask({ type: 'doc' });
    await until(async () => (await hive.getTask(t.id)).status === 'running');
    await hive.resumeAgent('reviewer');
    go.open();
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    expect(done).toMatchObject({
      status: 'completed',
      output: { reviewed: 'draft' },
      attempts: 2,
      assignedTo: 'reviewer',
      checkpoint: { step: 2, text: 'draft' },
    });
    expect(seenByB).toEqual([{ attempt: 2, lastCheckpoint: { step: 2, text: 'draft' }, agentId: 'reviewer' }]);
    expect(await aborted.promise).toMatch(/handed off/);
    const handed = events.find((e) => e.type === 'task.handed_off');
    expect(handed).toMatchObject({ taskId: t.id, attempt: 1, from: 'writer', agentId: 'reviewer' });
    expect(events.filter((e) => e.type === 'task.assigned').map((e) => e.agentId)).toEqual(['writer', 'reviewer']);
    // The writer was released: it holds no task and counts no failure.
    expect(await hive.getAgent('writer')).toMatchObject({ status: 'idle', load: 0, failed: 0 });
    expect(await hive.getAgent('reviewer')).toMatchObject({ status: 'idle', load: 0, succeeded: 1 });
  });

  it('refuses an unknown, incapable or unavailable target with a typed error, and the attempt carries on', async () => {
    const refusals: Array<{ target: string; reason: string; message: string }> = [];
    const events: HiveEvent[] = [];
    const targets = ['ghost', 'painter', 'paused', 'full', 'worker', 'stopped'];
    const work: Handler = async (_t, ctx) => {
      for (const target of targets) {
        try {
          await ctx.handoff(target, { from: ctx.agentId });
          return 'not expected';
        } catch (err) {
          if (!(err instanceof HandoffRefusedError)) throw err;
          expect(isHiveError(err, 'handoff_refused')).toBe(true);
          refusals.push({ target: err.agentId, reason: err.reason, message: err.message });
        }
      }
      await ctx.checkpoint('still current');
      return 'finished by the first agent';
    };
    const busy = gate();
    const hive = await openHive({ on: { 'task.handoff_refused': (e) => events.push(e) } });
    await hive.spawnAgent({ id: 'worker', name: 'worker', capabilities: ['job'], handler: work });
    await hive.spawnAgent({ id: 'painter', name: 'painter', capabilities: ['paint'] });
    await hive.spawnAgent({ id: 'paused', name: 'paused', capabilities: ['job'], handler: work });
    await hive.pauseAgent('paused');
    await hive.spawnAgent({ id: 'stopped', name: 'stopped', capabilities: ['job'], handler: work });
    await hive.stopAgent('stopped');
    await hive.spawnAgent({ id: 'full', name: 'full', capabilities: ['job', 'block'], handler: async () => busy.promise.then(() => 'ok') });
    await hive.postTask({ id: 'blocker', type: 'block' });
    await until(async () => (await hive.getAgent('full')).load === 1);
    const t = await hive.postTask({ id: 'main', type: 'job' });
    const done = await hive.waitForTask(t.id, { timeoutMs: 5000 });
    busy.open();
    expect(done).toMatchObject({ status: 'completed', output: 'finished by the first agent', attempts: 1, assignedTo: 'worker', checkpoint: 'still current' });
    expect(refusals.map((r) => [r.target, r.reason])).toEqual([
      ['ghost', 'unknown'],
      ['painter', 'incapable'],
      ['paused', 'unavailable'],
      ['full', 'unavailable'],
      ['worker', 'unavailable'],
      ['stopped', 'unavailable'],
    ]);
    expect(refusals[1]!.message).toMatch(/does not have capability "job"/);
    expect(refusals[2]!.message).toMatch(/is paused/);
    expect(refusals[3]!.message).toMatch(/maxConcurrent \(1\)/);
    expect(refusals[4]!.message).toMatch(/the one running this attempt/);
    expect(events.map((e) => [e.agentId, e.reason])).toEqual(refusals.map((r) => [r.target, r.reason]));
  });

  it('checks its arguments before anything is journaled, and refuses an attempt that is no longer current', async () => {
    const results: string[] = [];
    const release = gate();
    const hive = await openHive({
      handlers: {
        job: async (_t, ctx) => {
          for (const bad of [() => ctx.handoff('', null), () => ctx.handoff('b', (() => 1) as never)]) {
            await bad().catch((err: unknown) => results.push(isHiveError(err) ? err.code : String(err)));
          }
          await release.promise;
          await ctx.handoff('b', null).catch((err: unknown) => results.push(isHiveError(err) ? err.code : String(err)));
          return null;
        },
      },
    });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['job'] });
    await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['job'] });
    const t = await hive.postTask({ type: 'job', maxRetries: 0 });
    await until(() => results.length === 2);
    await hive.cancelTask(t.id);
    release.open();
    await until(() => results.length === 3);
    await sleep(20);
    expect(results).toEqual(['invalid_input', 'invalid_input', 'attempt_superseded']);
    expect((await hive.getTask(t.id)).status).toBe('cancelled');
  });
});
