/** @module `hivestate retry` and `hivestate signal`: on a directory nobody holds (journaled only) and through a running hive's control socket. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive } from '../src/index.js';
import { runCli } from './cliRunner.js';
import { memoryLogger, tempDir, until } from './helpers.js';

describe('hivestate retry and signal', () => {
  it('work on a directory no hive holds; the next hive runs what they journaled', async () => {
    const dir = join(tempDir(), 'data');
    let broken = true;
    const open = () =>
      createHive({
        dataDir: dir,
        logger: memoryLogger().logger,
        handlers: {
          build: async () => (broken ? Promise.reject(new Error('compiler crashed')) : 'built'),
          deploy: async (_t, ctx) => ({ approved: await ctx.waitForSignal('approve') }),
        },
      });
    let hive = await open();
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['build', 'deploy'] });
    await hive.postTask({ id: 'b1', type: 'build', maxRetries: 0 });
    await hive.postTask({ id: 'd1', type: 'deploy' });
    await hive.waitForTask('b1');
    await until(async () => (await hive.getTask('d1')).status === 'waiting');
    await hive.close();

    const retried = await runCli(['retry', 'b1', '--data-dir', dir]);
    expect(retried.stderr).toBe('');
    expect(retried.stdout).toMatch(/^b1 (pending|assigned|running) \(retried after attempt \d+\)\n$/);
    const signalled = await runCli(['signal', 'd1', 'approve', '--value', '{"by":"alice"}', '--data-dir', dir, '--json']);
    expect(signalled.stderr).toBe('');
    expect(JSON.parse(signalled.stdout)).toMatchObject({ id: 'd1', signals: { approve: { by: 'alice' } } });
    const again = await runCli(['retry', 'd1', '--data-dir', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^hivestate: task "d1" is \w+; only failed, timed_out or rejected tasks can be retried\n$/);

    broken = false;
    hive = await open();
    expect(await hive.waitForTask('b1', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'built' });
    expect(await hive.waitForTask('d1', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: { approved: { by: 'alice' } } });
    await hive.close();
  }, 60_000);

  it('reach a running hive through its control socket', async () => {
    const dir = join(tempDir(), 'data');
    let broken = true;
    const hive = await createHive({
      dataDir: dir,
      logger: memoryLogger().logger,
      control: true,
      handlers: { build: async () => (broken ? Promise.reject(new Error('no')) : 'ok'), ask: async (_t, ctx) => ctx.waitForSignal('answer') },
    });
    try {
      await hive.spawnAgent({ name: 'w', capabilities: ['build', 'ask'] });
      await hive.postTask({ id: 'b', type: 'build', maxRetries: 0, owner: 'alice' });
      await hive.postTask({ id: 'q', type: 'ask' });
      await hive.waitForTask('b');
      await until(async () => (await hive.getTask('q')).status === 'waiting');
      broken = false;
      const denied = await runCli(['retry', 'b', '--data-dir', dir]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/access denied/);
      expect((await runCli(['retry', 'b', '--by', 'alice', '--data-dir', dir])).stderr).toBe('');
      expect((await runCli(['signal', 'q', 'answer', '--value', '42', '--data-dir', dir])).stdout).toMatch(/^signalled q answer \(/);
      expect(await hive.waitForTask('b', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', attempts: 2 });
      expect(await hive.waitForTask('q', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 42 });
      const badJson = await runCli(['signal', 'q', 'answer', '--value', '{nope', '--data-dir', dir]);
      expect(badJson.stderr).toMatch(/^hivestate: .*is not valid JSON/);
    } finally {
      await hive.close();
    }
  }, 60_000);
});
