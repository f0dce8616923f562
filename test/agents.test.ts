import { describe, expect, it } from 'vitest';
import { ManualClock, type Handler } from '../src/index.js';
import { gate, nextEvent, openHive, until } from './helpers.js';

describe('agents', () => {
  it('pause keeps new work away, resume brings it back', async () => {
    const hive = await openHive({ handlers: { job: async () => 'ran' } });
    const a = await hive.spawnAgent({ name: 'w', capabilities: ['job'] });
    expect((await hive.pauseAgent(a.id)).status).toBe('paused');
    const t = await hive.postTask({ type: 'job' });
    expect((await hive.getTask(t.id)).status).toBe('pending');
    expect((await hive.resumeAgent(a.id)).id).toBe(a.id);
    expect((await hive.waitForTask(t.id, { timeoutMs: 5000 })).status).toBe('completed');
  });

  it('stopping an agent aborts its attempts and reassigns them to a capable backup', async () => {
    const started = gate();
    const hive = await openHive();
    await hive.spawnAgent({
      id: 'main',
      name: 'main',
      capabilities: ['job'],
      priority: 'high',
      handler: (_t, ctx) =>
        new Promise((_, reject) => {
          started.open();
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    });
    await hive.spawnAgent({ id: 'backup', name: 'backup', capabilities: ['job'], handler: async (_t, ctx) => `backup ran attempt ${ctx.attempt}` });
    const t = await hive.postTask({ type: 'job' });
    await started.promise;
    expect((await hive.stopAgent('main')).status).toBe('stopped');
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', assignedTo: 'backup', output: 'backup ran attempt 2' });
    await expect(hive.pauseAgent('main')).rejects.toMatchObject({ code: 'already_finished' });
    expect(await hive.listAgents({ status: 'stopped' })).toHaveLength(1);
  });

  it('goes to error after repeated failures, reports agent.failed, and resume clears it', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock, handlers: { bad: async () => Promise.reject(new Error('x')) } });
    const failed = nextEvent(hive, 'agent.failed');
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['bad'], failureThreshold: 2 });
    const t1 = await hive.postTask({ type: 'bad', maxRetries: 0 });
    const t2 = await hive.postTask({ type: 'bad', maxRetries: 0 });
    await hive.waitForTask(t1.id, { timeoutMs: 5000 });
    await hive.waitForTask(t2.id, { timeoutMs: 5000 });
    expect(await failed).toMatchObject({ agentId: 'w', reason: 'too many consecutive failures' });
    expect(await hive.getAgent('w')).toMatchObject({ status: 'error', errorReason: 'too many consecutive failures' });
    const t3 = await hive.postTask({ type: 'bad', maxRetries: 0 });
    expect((await hive.getTask(t3.id)).status).toBe('pending');
    expect((await hive.resumeAgent('w')).status).not.toBe('error');
    expect((await hive.waitForTask(t3.id, { timeoutMs: 5000 })).status).toBe('failed');
  });

  it('a missed heartbeat puts the agent in error and moves its running task to another agent', async () => {
    const clock = new ManualClock(0);
    const hold = gate();
    const hive = await openHive({ clock });
    await hive.spawnAgent({
      id: 'flaky',
      name: 'flaky',
      capabilities: ['job'],
      heartbeatMs: 1000,
      priority: 'high',
      handler: () => hold.promise.then(() => 'late'),
    });
    await hive.spawnAgent({ id: 'steady', name: 'steady', capabilities: ['job'], handler: async () => 'steady' });
    const t = await hive.postTask({ type: 'job' });
    expect((await hive.getTask(t.id)).assignedTo).toBe('flaky');
    clock.advance(900);
    await hive.heartbeat('flaky');
    clock.advance(900);
    expect((await hive.getAgent('flaky')).status).toBe('busy');
    const failed = nextEvent(hive, 'agent.failed');
    clock.advance(200);
    expect(await failed).toMatchObject({ agentId: 'flaky', reason: 'missed heartbeat' });
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'steady', assignedTo: 'steady' });
    hold.open();
    await hive.heartbeat('flaky');
    expect((await hive.getAgent('flaky')).status).toBe('idle');
  });

  it('keeps lineage through levels; a level-3 agent may not spawn agents', async () => {
    const hive = await openHive();
    const persona = await hive.spawnAgent({ id: 'persona', name: 'persona', capabilities: ['chat'] });
    const sub = await hive.spawnAgent({ id: 'sub', name: 'researcher', capabilities: ['search'], parentId: persona.id });
    const support = await hive.spawnAgent({ id: 'support', name: 'fetcher', capabilities: ['fetch'], parentId: sub.id });
    expect([persona.level, sub.level, support.level]).toEqual([1, 2, 3]);
    expect(support.parentId).toBe('sub');
    await expect(hive.spawnAgent({ name: 'too deep', capabilities: ['x'], parentId: 'support' })).rejects.toMatchObject({
      code: 'depth_limit',
      parentId: 'support',
    });
    await expect(hive.spawnAgent({ name: 'bad level', capabilities: ['x'], parentId: 'persona', level: 3 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await hive.listAgents({ capability: 'search' })).toEqual([expect.objectContaining({ id: 'sub' })]);
  });

  it('runs up to maxConcurrent tasks at once on one agent', async () => {
    let running = 0;
    let peak = 0;
    const release = gate();
    const handler: Handler = async () => {
      peak = Math.max(peak, ++running);
      await release.promise;
      running--;
      return null;
    };
    const hive = await openHive({ handlers: { job: handler } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'], maxConcurrent: 3 });
    const tasks = await hive.postTasks(Array.from({ length: 5 }, () => ({ type: 'job' })));
    await until(() => peak === 3);
    expect(await hive.getAgent('w')).toMatchObject({ status: 'busy', load: 3 });
    release.open();
    await Promise.all(tasks.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
    expect(peak).toBe(3);
  });

  it('supervision restarts an errored agent after a backoff, a limited number of times', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock, handlers: { bad: async () => Promise.reject(new Error('broken tool')) } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['bad'], failureThreshold: 1, maxRestarts: 2, restartBackoffMs: 100 });
    const restarts: number[] = [];
    hive.on('agent.restarted', (e) => restarts.push(e.restarts as number));
    const fail = async () => {
      const t = await hive.postTask({ type: 'bad', maxRetries: 0 });
      await hive.waitForTask(t.id, { timeoutMs: 5000 });
      await until(async () => (await hive.getAgent('w')).status === 'error');
    };
    await fail();
    clock.advance(99);
    expect((await hive.getAgent('w')).status).toBe('error');
    clock.advance(1); // first restart after 100 ms
    await until(async () => (await hive.getAgent('w')).status === 'idle');
    await fail();
    clock.advance(200); // second restart after 200 ms (doubled)
    await until(async () => (await hive.getAgent('w')).status === 'idle');
    expect(await hive.getAgent('w')).toMatchObject({ restarts: 2 });
    await fail();
    clock.advance(10_000); // the limit is used up: it waits for a person
    await new Promise((r) => setTimeout(r, 20));
    expect(await hive.getAgent('w')).toMatchObject({ status: 'error', restarts: 2 });
    expect(restarts).toEqual([1, 2]);
    expect((await hive.resumeAgent('w')).status).toBe('idle');
  });
});
