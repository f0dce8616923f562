import { describe, expect, it } from 'vitest';
import { createReadModels, openReplay, readModelView } from '../src/index.js';
import { openHive, tempDir } from './helpers.js';

describe('read models', () => {
  it('count by status, track per-agent load and success rate, and keep the queue, from the inspection stream', async () => {
    let n = 0;
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, handlers: { x: async () => { if (++n === 2) throw new Error('boom'); return 'ok'; } } });
    const models = createReadModels();
    hive.inspect((record) => models.trigger.record({ record }));
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await hive.postTask({ id: `t${i}`, type: 'x', maxRetries: 0 })).id);
    await hive.postTask({ id: 'q1', type: 'nobody' });
    await hive.postTask({ id: 'q2', type: 'nobody' });
    for (const id of ids) await hive.waitForTask(id, { timeoutMs: 5000 }).catch(() => undefined);
    const ctx = readModelView(models.getSnapshot().context);
    expect(ctx.tasksByStatus).toEqual({ completed: 2, failed: 1, pending: 2 });
    expect(ctx.agentsByStatus).toEqual({ idle: 1 });
    expect(ctx.agents.a).toEqual({ status: 'idle', load: 0, succeeded: 2, failed: 1, successRate: 2 / 3 });
    expect(ctx.queue).toEqual(['q1', 'q2']);
    await hive.close();

    // Seeded from a replay's actors (what the page does for a point in time), the same figures come out.
    const replay = await openReplay(dir);
    await replay.seek(replay.lastSeq);
    const seeded = createReadModels();
    seeded.trigger.seed({ actors: replay.actors(), seq: replay.position });
    const s = readModelView(seeded.getSnapshot().context);
    expect({ ...s, seq: 0 }).toEqual({ ...ctx, seq: 0 });
    await replay.close();
  });
});
