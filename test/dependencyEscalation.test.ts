/** @module Dependency conflicts: a deadline passed while waiting escalates, a failed dependency is retried before its dependants fail, and priority is inherited while a task waits. */
import { describe, expect, it } from 'vitest';
import { ManualClock, type Handler } from '../src/index.js';
import { gate, nextEvent, openHive, settle, until } from './helpers.js';

describe('dependency deadline', () => {
  it('a task still waiting on a dependency at its deadline fires task.escalated once', async () => {
    const clock = new ManualClock(1_000_000);
    const hive = await openHive({ clock, handlers: { slow: async () => 'done', next: async () => 'next' } });
    const dep = await hive.postTask({ id: 'dep', type: 'slow' }); // no agent yet: it waits
    const late = await hive.postTask({ id: 'late', type: 'next', dependsOn: [dep.id], deadline: clock.now() + 5000 });
    const fine = await hive.postTask({ id: 'fine', type: 'next', dependsOn: [dep.id], deadline: clock.now() + 60_000 });
    const escalations: Array<Record<string, unknown>> = [];
    hive.on('task.escalated', (e) => void escalations.push(e));
    clock.advance(4999);
    await settle();
    expect(escalations).toEqual([]);
    clock.advance(1);
    await until(() => escalations.length === 1);
    expect(escalations[0]).toMatchObject({ taskId: late.id, code: 'dependency_deadline', waitingOn: ['dep'], at: 1_005_000 });
    expect(await hive.getTask(late.id)).toMatchObject({ status: 'pending', escalation: { code: 'dependency_deadline', at: 1_005_000 } });
    const report = await hive.report();
    expect(report.issues).toEqual(expect.arrayContaining(['1 task still waiting on dependencies past their deadline: late']));

    // Once the dependency is done the tasks run; the one whose deadline had not come never escalates.
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['slow', 'next'] });
    expect((await hive.waitForTask(late.id, { timeoutMs: 5000 })).status).toBe('completed');
    expect((await hive.waitForTask(fine.id, { timeoutMs: 5000 })).status).toBe('completed');
    clock.advance(120_000);
    await settle();
    expect(escalations).toHaveLength(1);
  });
});

describe('failed dependency', () => {
  it('is retried up to its maxRetries while its dependants wait; they run when a retry succeeds', async () => {
    let calls = 0;
    const hive = await openHive({
      handlers: {
        flaky: async () => {
          if (++calls < 3) throw new Error(`failure ${calls}`);
          return 'third time';
        },
        after: async () => 'after',
      },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['flaky', 'after'], failureThreshold: 10 });
    const retrying = nextEvent(hive, 'task.retrying');
    const dep = await hive.postTask({ id: 'dep', type: 'flaky', maxRetries: 2, backoffMs: 0 });
    const after = await hive.postTask({ id: 'after', type: 'after', dependsOn: [dep.id] });
    await retrying;
    expect((await hive.getTask(after.id)).status).toBe('pending');
    expect(await hive.waitForTask(after.id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'after' });
    expect(await hive.getTask(dep.id)).toMatchObject({ status: 'completed', attempts: 3 });
  });

  it('fails its dependants only after its last retry failed', async () => {
    const order: string[] = [];
    const hive = await openHive({
      handlers: {
        broken: async (_t, ctx) => {
          order.push(`attempt ${ctx.attempt}`);
          throw new Error('broken');
        },
        after: async () => 'never',
      },
    });
    hive.on('task.failed', (e) => void order.push(`${String(e.taskId)} failed`));
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['broken', 'after'], failureThreshold: 10 });
    const dep = await hive.postTask({ id: 'dep', type: 'broken', maxRetries: 2, backoffMs: 0 });
    const after = await hive.postTask({ id: 'after', type: 'after', dependsOn: [dep.id] });
    expect(await hive.waitForTask(after.id, { timeoutMs: 5000 })).toMatchObject({ status: 'failed', error: { code: 'dependency_failed' }, attempts: 0 });
    expect(order).toEqual(['attempt 1', 'attempt 2', 'attempt 3', 'dep failed', 'after failed']);
  });
});

describe('priority inheritance', () => {
  /** One paused agent; `starts` records the order in which tasks start once it is resumed. */
  async function setup() {
    const starts: string[] = [];
    const hold = gate();
    const record: Handler = async (t) => {
      starts.push(t.id);
      await hold.promise;
      return null;
    };
    const hive = await openHive({ handlers: { job: record, top: record } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job', 'top'], maxConcurrent: 1 });
    await hive.pauseAgent('w');
    const other = await hive.postTask({ id: 'other', type: 'job', priority: 5 });
    const dep = await hive.postTask({ id: 'dep', type: 'job', priority: 0 });
    const top = await hive.postTask({ id: 'top', type: 'top', priority: 10, dependsOn: [dep.id] });
    return { hive, starts, hold, other, dep, top };
  }

  it('a pending dependency of a higher-priority task is served at that priority', async () => {
    const { hive, starts, hold, dep } = await setup();
    expect(await hive.getTask(dep.id)).toMatchObject({ priority: 0, inheritedPriority: 10 });
    await hive.resumeAgent('w');
    await until(() => starts.length === 1);
    expect(starts).toEqual(['dep']);
    hold.open();
    await until(() => starts.length === 3);
    expect(starts).toEqual(['dep', 'top', 'other']);
  });

  it('the boost is undone when the task no longer waits (cancelled)', async () => {
    const { hive, starts, hold, dep, top } = await setup();
    await hive.cancelTask(top.id);
    expect((await hive.getTask(dep.id)).inheritedPriority).toBeUndefined();
    await hive.resumeAgent('w');
    hold.open();
    await until(() => starts.length === 2);
    expect(starts).toEqual(['other', 'dep']);
  });

  it('passes along a chain and is undone along it', async () => {
    const hive = await openHive();
    await hive.postTask({ id: 'a', type: 'job' });
    await hive.postTask({ id: 'b', type: 'job', dependsOn: ['a'] });
    await hive.postTask({ id: 'c', type: 'job', priority: 'critical', dependsOn: ['b'] });
    expect((await hive.getTask('b')).inheritedPriority).toBe(10);
    expect((await hive.getTask('a')).inheritedPriority).toBe(10);
    await hive.postTask({ id: 'd', type: 'job', priority: 7, dependsOn: ['b'] });
    await hive.cancelTask('c');
    expect((await hive.getTask('b')).inheritedPriority).toBe(7);
    expect((await hive.getTask('a')).inheritedPriority).toBe(7);
    await hive.cancelTask('d');
    expect((await hive.getTask('b')).inheritedPriority).toBeUndefined();
    expect((await hive.getTask('a')).inheritedPriority).toBeUndefined();
  });
});
