import { describe, expect, it } from 'vitest';
import { ManualClock, type Handler } from '../src/index.js';
import { gate, openHive, until } from './helpers.js';

/** A handler that records which agent ran which task, and finishes at once. */
function recorder(log: Array<[string, string]>): Handler {
  return async (t, ctx) => {
    log.push([t.id, ctx.agentId]);
    return null;
  };
}

describe('assignment', () => {
  it('serves the queue by effective priority, then first-in first-out', async () => {
    const log: Array<[string, string]> = [];
    const hive = await openHive({ handlers: { job: recorder(log) } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'] });
    await hive.pauseAgent('w');
    await hive.postTask({ id: 'low-1', type: 'job' });
    await hive.postTask({ id: 'low-2', type: 'job' });
    await hive.postTask({ id: 'high', type: 'job', priority: 'high' });
    await hive.postTask({ id: 'crit', type: 'job', priority: 'critical' });
    await hive.postTask({ id: 'p7', type: 'job', priority: 7 });
    expect((await hive.getTask('crit')).status).toBe('pending');
    await hive.resumeAgent('w');
    await hive.waitForTask('low-2', { timeoutMs: 5000 });
    expect(log.map(([id]) => id)).toEqual(['crit', 'p7', 'high', 'low-1', 'low-2']);
  });

  it('raises a task whose deadline is within the hour, and one that other tasks wait on', async () => {
    const clock = new ManualClock(10 * 3_600_000);
    const log: Array<[string, string]> = [];
    const hive = await openHive({ clock, handlers: { job: recorder(log) } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'] });
    await hive.pauseAgent('w');
    await hive.postTask({ id: 'plain', type: 'job' });
    await hive.postTask({ id: 'later', type: 'job', deadline: clock.now() + 3 * 3_600_000 });
    await hive.postTask({ id: 'due-soon', type: 'job', deadline: clock.now() + 30 * 60_000 });
    await hive.postTask({ id: 'blocker', type: 'job' });
    await hive.postTask({ id: 'waits', type: 'other', dependsOn: ['blocker'] });
    // 'later' becomes due soon after two hours: its durable deadline timer raises it.
    clock.advance(2 * 3_600_000 + 1);
    await until(async () => (await hive.status()).timers === 0);
    await hive.resumeAgent('w');
    await hive.waitForTask('plain', { timeoutMs: 5000 });
    expect(log.map(([id]) => id)).toEqual(['later', 'due-soon', 'blocker', 'plain']);
  });

  it('picks agents by priority, then load, then least recently used', async () => {
    const log: Array<[string, string]> = [];
    const release = gate();
    const hive = await openHive({
      handlers: {
        hold: async (t, ctx) => {
          log.push([t.id, ctx.agentId]);
          await release.promise;
          return null;
        },
        quick: recorder(log),
      },
    });
    await hive.spawnAgent({ id: 'normal-1', name: 'n1', capabilities: ['hold', 'quick'], maxConcurrent: 2 });
    await hive.spawnAgent({ id: 'normal-2', name: 'n2', capabilities: ['hold', 'quick'], maxConcurrent: 2 });
    await hive.spawnAgent({ id: 'high', name: 'h', capabilities: ['hold'], priority: 'high', maxConcurrent: 1 });
    await hive.postTask({ id: 'h1', type: 'hold' }); // -> high (priority)
    await hive.postTask({ id: 'h2', type: 'hold' }); // high is full -> normal-1 (registered first)
    await hive.postTask({ id: 'h3', type: 'hold' }); // normal-2 has lower load
    await hive.postTask({ id: 'h4', type: 'hold' }); // equal load 1/1: normal-1 was used least recently
    expect(log).toEqual([
      ['h1', 'high'],
      ['h2', 'normal-1'],
      ['h3', 'normal-2'],
      ['h4', 'normal-1'],
    ]);
    const h5 = await hive.postTask({ id: 'h5', type: 'hold' });
    expect(h5.status).toBe('running');
    expect((await hive.getAgent('normal-2')).load).toBe(2);
    const h6 = await hive.postTask({ id: 'h6', type: 'hold' });
    expect(h6.status).toBe('pending'); // everyone is at maxConcurrent
    release.open();
    await hive.waitForTask('h6', { timeoutMs: 5000 });
  });

  it('holds 2,000 queued tasks across types and runs each exactly once', async () => {
    const counts = new Map<string, number>();
    const handler: Handler = async (t) => {
      counts.set(t.id, (counts.get(t.id) ?? 0) + 1);
      return t.input;
    };
    const hive = await openHive({ handlers: { a: handler, b: handler } });
    const specs = Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, type: i % 2 ? 'a' : 'b', input: i, priority: i % 5 }));
    await hive.postTasks(specs);
    await hive.spawnAgent({ name: 'ab', capabilities: ['a', 'b'], maxConcurrent: 8 });
    await hive.spawnAgent({ name: 'a', capabilities: ['a'], maxConcurrent: 4 });
    await Promise.all(specs.map((s) => hive.waitForTask(s.id, { timeoutMs: 20_000 })));
    expect(counts.size).toBe(2000);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await hive.status()).toMatchObject({ tasks: { total: 2000, completed: 2000 }, queued: 0 });
  });
});
