import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, type Handler } from '../src/index.js';
import { openReadStore } from '../src/query/readStore.js';
import { startChildHive } from './childHive.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, openHive, settle, tempDir } from './helpers.js';

const echo: Handler = (task, ctx) => ({ id: task.id, attempt: ctx.attempt });

describe('agents whose handler is not in this process', () => {
  it('an agent spawned with its own handler by an earlier process is detached and gets no work until attachHandler', async () => {
    const dataDir = tempDir();
    const first = await createHive({ dataDir, logger: memoryLogger().logger });
    await first.spawnAgent({ id: 'own', name: 'own', capabilities: ['job'], handler: echo });
    expect(await first.getAgent('own')).toMatchObject({ detached: false });
    await first.close();

    const hive = await openHive({ dataDir });
    expect(await hive.getAgent('own')).toMatchObject({ status: 'idle', detached: true });
    await hive.postTask({ id: 't', type: 'job' });
    await settle();
    expect(await hive.getTask('t')).toMatchObject({ status: 'pending', attempts: 0 });

    expect(await hive.attachHandler('own', echo)).toMatchObject({ detached: false });
    expect(await hive.waitForTask('t', { timeoutMs: 2000 })).toMatchObject({ status: 'completed', attempts: 1, output: { id: 't', attempt: 1 } });
  });

  it('hive-wide handlers count: an agent gets only the capabilities this process has a handler for', async () => {
    const dataDir = tempDir();
    const first = await createHive({ dataDir, logger: memoryLogger().logger, handlers: { a: echo, b: echo } });
    await first.spawnAgent({ id: 'w', name: 'w', capabilities: ['a', 'b'] });
    await first.close();

    const hive = await openHive({ dataDir, handlers: { a: echo } });
    expect(await hive.getAgent('w')).toMatchObject({ detached: false, unhandled: ['b'] });
    await hive.postTasks([
      { id: 'tb', type: 'b' },
      { id: 'ta', type: 'a' },
    ]);
    expect(await hive.waitForTask('ta', { timeoutMs: 2000 })).toMatchObject({ status: 'completed' });
    expect(await hive.getTask('tb')).toMatchObject({ status: 'pending', attempts: 0 });
    await hive.attachHandler('w', echo);
    expect(await hive.waitForTask('tb', { timeoutMs: 2000 })).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('replay sees the same availability: verify passes on a run with detached and re-attached agents', async () => {
    const dataDir = tempDir();
    const first = await createHive({ dataDir, logger: memoryLogger().logger });
    await first.spawnAgent({ id: 'own', name: 'own', capabilities: ['job'], handler: echo });
    await first.close();
    const hive = await createHive({ dataDir, logger: memoryLogger().logger });
    await hive.postTask({ id: 't', type: 'job' });
    await hive.attachHandler('own', echo);
    await hive.waitForTask('t', { timeoutMs: 2000 });
    await hive.close();
    const { openReplay } = await import('../src/index.js');
    const replay = await openReplay(dataDir);
    try {
      const report = await replay.verify();
      expect(report.checkpointSeq).toBeGreaterThan(0);
    } finally {
      await replay.close();
    }
  });
});

describe('hivestate post and cancel on a directory no program holds', () => {
  it('only journal: nothing is handed to an agent whose handler left with its program, nothing running is re-dispatched', async () => {
    const dataDir = join(tempDir(), 'data');
    const child = startChildHive({
      dataDir,
      ownHandlers: ['w'],
      agents: [{ id: 'w', name: 'w', capabilities: ['job'], maxConcurrent: 2 }],
      tasks: [{ id: 'running', type: 'job' }],
    });
    await child.waitFor(/^started running 1$/);
    await child.kill9();

    const posted = await runCli(['post', 'job', '--id', 'later', '--data-dir', dataDir]);
    expect(posted.stderr).toBe('');
    expect(posted.stdout).toBe('posted later (pending)\n');
    for (let i = 0; i < 3; i++) expect((await runCli(['post', 'job', '--id', `more-${i}`, '--data-dir', dataDir])).stdout).toBe(`posted more-${i} (pending)\n`);
    expect((await runCli(['cancel', 'more-0', '--data-dir', dataDir])).stdout).toBe('more-0 cancelled\n');
    // The CLI only journaled its inputs: the attempt the program left running is untouched.
    const view = openReadStore(dataDir);
    try {
      expect(view.task('running')).toMatchObject({ status: 'running', attempts: 1, redispatches: 0 });
      expect(view.task('more-1')).toMatchObject({ status: 'pending', attempts: 0 });
    } finally {
      await view.close();
    }

    const hive = await openHive({ dataDir });
    // Re-dispatched once, by this open (the agent is detached, so it waits): no CLI write re-dispatched it.
    expect(await hive.getTask('running')).toMatchObject({ status: 'pending', attempts: 1, redispatches: 1 });
    expect(await hive.getTask('later')).toMatchObject({ status: 'pending', attempts: 0 });
    await hive.attachHandler('w', echo);
    for (const id of ['running', 'later', 'more-1', 'more-2'])
      expect(await hive.waitForTask(id, { timeoutMs: 3000 }), id).toMatchObject({ status: 'completed' });
    expect(await hive.getTask('running')).toMatchObject({ attempts: 2, redispatches: 1 });
    expect(await hive.getTask('later')).toMatchObject({ attempts: 1, redispatches: 0 });
  });
});
