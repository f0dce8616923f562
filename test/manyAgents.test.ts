import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { openHive } from './helpers.js';

describe('assignment with many agents', () => {
  it('assigns 2,000 tasks among 20,000 agents without scanning every agent per task', async () => {
    const hive = await openHive({ handlers: { work: async () => 'ok' } });
    for (let i = 0; i < 20_000; i += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, j) =>
          hive.spawnAgent({ id: `a${i + j}`, name: `agent ${i + j}`, capabilities: i + j < 10_000 ? ['work'] : ['other'] }),
        ),
      );
    }
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const tasks = await hive.postTasks(Array.from({ length: 2000 }, (_, i) => ({ id: `t${i}`, type: 'work', input: i })));
    const done = await Promise.all(tasks.map((t) => hive.waitForTask(t.id, { timeoutMs: 170_000 })));
    delay.disable();
    expect(done.every((t) => t.status === 'completed')).toBe(true);
    // Before the agent pool, each assignment built a list of every free capable agent: the event
    // loop was blocked for 20 s at a stretch. The bound is generous (a loaded machine stays far
    // under it): the point is "no scan of every agent per task", not a timing.
    expect(delay.max / 1e6).toBeLessThan(8000);
    const busyAgents = new Set(done.map((t) => t.assignedTo));
    expect(busyAgents.size).toBeGreaterThan(1000);
    await hive.close();
  }, 180_000);
});
