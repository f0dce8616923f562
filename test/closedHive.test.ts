import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, DataDirError, HiveClosedError, type Hive } from '../src/index.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

/** Resolves with what `call` threw or rejected with (undefined when it did neither). */
async function failureOf(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('a closed hive', () => {
  it('answers every public call with HiveClosedError', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.postTask({ id: 't', type: 'y' });
    await hive.close();
    const calls: Record<string, (h: Hive) => unknown> = {
      spawnAgent: (h) => h.spawnAgent({ name: 'b', capabilities: ['x'] }),
      attachHandler: (h) => h.attachHandler('a', () => null),
      getAgent: (h) => h.getAgent('a'),
      listAgents: (h) => h.listAgents(),
      pauseAgent: (h) => h.pauseAgent('a'),
      resumeAgent: (h) => h.resumeAgent('a'),
      stopAgent: (h) => h.stopAgent('a'),
      heartbeat: (h) => h.heartbeat('a'),
      postTask: (h) => h.postTask({ type: 'y' }),
      postTasks: (h) => h.postTasks([{ type: 'y' }]),
      getTask: (h) => h.getTask('t'),
      listTasks: (h) => h.listTasks(),
      waitForTask: (h) => h.waitForTask('t'),
      cancelTask: (h) => h.cancelTask('t'),
      prune: (h) => h.prune(),
      checkpoint: (h) => h.checkpoint(),
      on: (h) => h.on('task.completed', () => undefined),
      inspect: (h) => h.inspect(() => undefined),
      status: (h) => h.status(),
    };
    for (const [name, call] of Object.entries(calls)) {
      const err = await failureOf(() => call(hive));
      expect(err, name).toBeInstanceOf(HiveClosedError);
      expect((err as HiveClosedError).code, name).toBe('hive_closed');
    }
    await hive.close(); // closing twice is fine
  });

  it('ends a waitForTask that is still waiting when the hive closes', { timeout: 5000 }, async () => {
    const hive = await openHive();
    await hive.postTask({ id: 't', type: 'nobody' });
    const waiting = failureOf(() => hive.waitForTask('t'));
    await hive.close();
    const err = await waiting;
    expect(err).toBeInstanceOf(HiveClosedError);
    expect((err as Error).message).toMatch(/closed while waiting for task "t"/);
  });
});

describe('a dataDir that cannot be used', () => {
  const open = (dataDir: string) => failureOf(() => createHive({ dataDir, logger: memoryLogger().logger }));

  it('is a file: DataDirError says so', async () => {
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'hello');
    const err = await open(file);
    expect(err).toBeInstanceOf(DataDirError);
    expect(err).toMatchObject({ code: 'invalid_data_dir', dataDir: file });
    expect((err as Error).message).toMatch(/is a file, not a directory; dataDir must be a directory this process can create and write/);
  });

  it('has a file in its path: DataDirError names that file', async () => {
    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'hello');
    const err = await open(join(file, 'hive'));
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as Error).message).toContain(`cannot be created: ${file} is a file, not a directory`);
  });

  it('cannot be created or written: DataDirError says why', async () => {
    // As root every permission check passes; sysfs refuses new directories even to root.
    const dir = process.getuid?.() === 0 ? '/sys/hivestate-test/data' : join(tempDir(), 'ro', 'data');
    if (process.getuid?.() !== 0) {
      const { mkdirSync, chmodSync } = await import('node:fs');
      mkdirSync(join(dir, '..'));
      chmodSync(join(dir, '..'), 0o500);
    }
    const err = await open(dir);
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as Error).message).toMatch(/cannot be created \((EACCES|EPERM|EROFS)\)/);
  });
});
