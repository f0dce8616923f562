import { describe, expect, it } from 'vitest';
import { DependencyCycleError, type Handler } from '../src/index.js';
import { openHive } from './helpers.js';

describe('dependencies', () => {
  it('a task waits for its dependencies and starts only after they complete', async () => {
    const order: string[] = [];
    const step: Handler = async (t) => {
      order.push(t.id);
      return t.id;
    };
    const hive = await openHive({ handlers: { step } });
    await hive.spawnAgent({ name: 'w', capabilities: ['step'], maxConcurrent: 4 });
    await hive.pauseAgent((await hive.listAgents())[0]!.id);
    await hive.postTasks([
      { id: 'package', type: 'step', dependsOn: ['build', 'test'] },
      { id: 'build', type: 'step', dependsOn: ['fetch'] },
      { id: 'test', type: 'step', dependsOn: ['build'] },
      { id: 'fetch', type: 'step' },
    ]);
    await hive.resumeAgent((await hive.listAgents())[0]!.id);
    const done = await hive.waitForTask('package', { timeoutMs: 5000 });
    expect(done.status).toBe('completed');
    expect(order).toEqual(['fetch', 'build', 'test', 'package']);
  });

  it('a dependency that fails or is cancelled fails its dependants, naming it', async () => {
    const hive = await openHive({ handlers: { bad: async () => Promise.reject(new Error('nope')) } });
    await hive.postTasks([
      { id: 'root', type: 'bad', maxRetries: 0 },
      { id: 'child', type: 'ok', dependsOn: ['root'] },
      { id: 'grandchild', type: 'ok', dependsOn: ['child'] },
      { id: 'held', type: 'never' },
      { id: 'on-held', type: 'ok', dependsOn: ['held'] },
    ]);
    await hive.spawnAgent({ name: 'w', capabilities: ['bad'] });
    expect(await hive.waitForTask('child', { timeoutMs: 5000 })).toMatchObject({
      status: 'failed',
      error: { code: 'dependency_failed', message: 'dependency root ended failed' },
    });
    expect(await hive.waitForTask('grandchild', { timeoutMs: 5000 })).toMatchObject({ status: 'failed', error: { message: 'dependency child ended failed' } });
    await hive.cancelTask('held');
    expect(await hive.waitForTask('on-held', { timeoutMs: 5000 })).toMatchObject({ status: 'failed', error: { message: 'dependency held ended cancelled' } });
    // Posting against a dependency that already failed fails at once.
    const late = await hive.postTask({ id: 'late', type: 'ok', dependsOn: ['root'] });
    expect(late).toMatchObject({ status: 'failed', error: { code: 'dependency_failed' } });
  });

  it('a dependency that already completed does not hold a new task back', async () => {
    const hive = await openHive({ handlers: { x: async () => 1 } });
    await hive.spawnAgent({ name: 'w', capabilities: ['x'] });
    await hive.postTask({ id: 'first', type: 'x' });
    await hive.waitForTask('first', { timeoutMs: 5000 });
    await hive.checkpoint(); // 'first' is passivated: it is only in the store now
    expect((await hive.status()).liveTasks).toBe(0);
    const second = await hive.postTask({ id: 'second', type: 'x', dependsOn: ['first'] });
    expect((await hive.waitForTask(second.id, { timeoutMs: 5000 })).status).toBe('completed');
  });

  it('refuses a cycle at post and creates nothing', async () => {
    const hive = await openHive();
    const before = await hive.status();
    const err = await hive
      .postTasks([
        { id: 'a', type: 'x', dependsOn: ['c'] },
        { id: 'b', type: 'x', dependsOn: ['a'] },
        { id: 'c', type: 'x', dependsOn: ['b'] },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyCycleError);
    expect(err).toMatchObject({ code: 'dependency_cycle', cycle: ['a', 'c', 'b', 'a'] });
    await expect(hive.postTask({ id: 'self', type: 'x', dependsOn: ['self'] })).rejects.toMatchObject({ code: 'dependency_cycle' });
    await expect(hive.postTask({ id: 'orphan', type: 'x', dependsOn: ['missing'] })).rejects.toMatchObject({ code: 'not_found', id: 'missing' });
    expect(await hive.status()).toEqual(before);
    await expect(hive.getTask('a')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('orders a 50,000-task chain posted in reverse in one batch, and reports a 50,000-task cycle, without overflowing the stack', async () => {
    const n = 50_000;
    const hive = await openHive();
    const chain = Array.from({ length: n }, (_, i) => ({ id: `c${n - 1 - i}`, type: 'x', dependsOn: i === n - 1 ? [] : [`c${n - 2 - i}`] }));
    const views = await hive.postTasks(chain);
    expect(views.map((v) => v.id)).toEqual(chain.map((c) => c.id));
    expect((await hive.getTask('c0')).status).toBe('pending');
    expect((await hive.getTask(`c${n - 1}`)).dependsOn).toEqual([`c${n - 2}`]);

    const ring = Array.from({ length: n }, (_, i) => ({ id: `r${i}`, type: 'x', dependsOn: [`r${(i + 1) % n}`] }));
    const err = await hive.postTasks(ring).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyCycleError);
    const cycle = (err as DependencyCycleError).cycle;
    expect(cycle.length).toBe(n + 1);
    expect(cycle[0]).toBe('r0');
    expect(cycle[1]).toBe('r1');
    expect(cycle[n]).toBe('r0');
    expect((err as Error).message.length).toBeLessThan(2000);
    await expect(hive.getTask('r0')).rejects.toMatchObject({ code: 'not_found' });
  }, 60_000);
});
