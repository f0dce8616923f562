import { describe, expect, it } from 'vitest';
import { createHive, StoreError, type HiveOptions, type TaskView } from '../src/index.js';
import { memoryLogger, tempDir } from './helpers.js';

const quiet = (): Pick<HiveOptions, 'logger'> => ({ logger: memoryLogger().logger });

describe('store faults', () => {
  it('a failed journal append rejects the call with StoreError, stops intake, and a restart agrees with what callers were told', async () => {
    const dir = tempDir();
    let failId: string | undefined;
    const hive = await createHive({
      dataDir: dir,
      ...quiet(),
      faults: {
        failAppend: (rec) =>
          rec.input.type === 'task.post' && rec.input.tasks.some((t) => t.id === failId)
            ? Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
            : undefined,
      },
    });
    await hive.postTask({ id: 'before', type: 'x' });
    failId = 'doomed';
    const results = await Promise.allSettled(['a', 'b', 'doomed', 'c', 'd'].map((id) => hive.postTask({ id, type: 'x' })));
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id] : []));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(StoreError);
    expect(rejected[0]).toMatchObject({
      code: 'store_failure',
      mayHaveBeenRecorded: false,
      message: expect.stringMatching(/no space left on device; nothing was recorded/),
    });
    // Posts journaled before the failure was seen are applied (they are durable); the failed one is not.
    expect(accepted).toEqual(['a', 'b', 'c', 'd']);
    await expect(hive.getTask('doomed')).rejects.toMatchObject({ code: 'not_found' });
    await expect(hive.postTask({ id: 'after', type: 'x' })).rejects.toMatchObject({
      code: 'store_failure',
      message: expect.stringContaining('intake stopped'),
    });
    await expect(hive.spawnAgent({ name: 'n', capabilities: ['x'] })).rejects.toMatchObject({ code: 'store_failure' });
    const seen = (await hive.listTasks({ limit: 100 })).map((t) => t.id).sort();
    await hive.close();

    const again = await createHive({ dataDir: dir, ...quiet() });
    try {
      expect((await again.listTasks({ limit: 100 })).map((t) => t.id).sort()).toEqual(seen);
      expect(seen).toEqual(['a', 'b', 'before', 'c', 'd']);
      await again.postTask({ id: 'after', type: 'x' });
    } finally {
      await again.close();
    }
  });

  it('a failed checkpoint stops intake; the journal still restores everything acknowledged', async () => {
    const dir = tempDir();
    let failing = false;
    const hive = await createHive({
      dataDir: dir,
      ...quiet(),
      handlers: { x: async (t) => t.input },
      checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 },
      faults: { failCheckpoint: () => (failing ? new Error('MDB_MAP_FULL: Environment mapsize limit reached') : undefined) },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['x'] });
    const posted = await hive.postTasks(Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, type: 'x', input: i })));
    const done: TaskView[] = await Promise.all(posted.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
    failing = true;
    await expect(hive.checkpoint()).rejects.toMatchObject({ code: 'store_failure', message: expect.stringContaining('MDB_MAP_FULL') });
    await expect(hive.postTask({ type: 'x' })).rejects.toMatchObject({ code: 'store_failure' });
    await hive.close();

    const again = await createHive({ dataDir: dir, ...quiet() });
    try {
      for (const t of done) expect(await again.getTask(t.id)).toEqual(t);
      expect((await again.status()).tasks).toEqual({ total: 10, completed: 10 });
    } finally {
      await again.close();
    }
  });
});
