import { describe, expect, it } from 'vitest';
import { createHive, type Handler, type HiveEvent } from '../src/index.js';
import { gate, memoryLogger, tempDir } from './helpers.js';

const untilAborted: Handler = (_t, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));

describe('createHive({ on })', () => {
  it('subscribes before recovery: events fired while the hive reopens reach the listeners', async () => {
    const dataDir = tempDir();
    const started = gate();
    const first = await createHive({
      dataDir,
      logger: memoryLogger().logger,
      handlers: {
        job: (t, ctx) => {
          started.open();
          return untilAborted(t, ctx);
        },
      },
    });
    await first.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'] });
    await first.postTask({ id: 't', type: 'job' });
    await started.promise;
    await first.close(); // the running attempt is re-dispatched when the directory is opened again

    const early: HiveEvent[] = [];
    const second = await createHive({
      dataDir,
      logger: memoryLogger().logger,
      handlers: { job: untilAborted },
      on: { 'task.started': (e) => early.push(e), '*': (e) => early.push(e) },
    });
    const late: HiveEvent[] = [];
    second.on('*', (e) => late.push(e));
    try {
      // The re-dispatch happened while createHive was reopening the directory.
      expect(early.filter((e) => e.type === 'task.started')).toEqual([
        expect.objectContaining({ taskId: 't', attempt: 2, agentId: 'w' }),
        expect.objectContaining({ taskId: 't', attempt: 2, agentId: 'w' }), // once per subscription: by type and '*'
      ]);
      expect(early.map((e) => e.type)).toEqual(expect.arrayContaining(['task.assigned', 'task.started']));
      expect(late.filter((e) => e.type === 'task.started')).toEqual([]); // hive.on() comes too late for them
    } finally {
      await second.close();
    }
  });

  it('refuses a listener that is not a function', async () => {
    await expect(createHive({ dataDir: tempDir(), on: { 'task.failed': 'log' as never } })).rejects.toThrow(/on\.task\.failed: must be a function/);
  });
});
