import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isHiveError, openReplay, type Hive } from '../src/index.js';
import { memoryLogger, openHive, tempDir } from './helpers.js';

const forks: Hive[] = [];
afterEach(async () => {
  await Promise.allSettled(forks.splice(0).map((h) => h.close()));
});

/**
 * Every file in a directory with a hash of its bytes, except LMDB's reader table (`hive.lmdb-lock`):
 * every reader, `hivestate status` included, registers in it; it holds no data.
 */
function checksums(dir: string): Record<string, string> {
  const files = readdirSync(dir).filter((f) => f !== 'hive.lmdb-lock');
  expect(files).toContain('hive.lmdb');
  return Object.fromEntries(
    files.map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

/** A run where fetching fails for good, so the build that depends on it fails too. */
async function failedBuild(dir: string) {
  const hive = await openHive({
    dataDir: dir,
    checkpoint: { everyInputs: 3 },
    handlers: {
      fetch: async () => {
        throw new Error('registry down');
      },
      build: async (t) => `built ${String(t.input)}`,
    },
  });
  await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['fetch', 'build'] });
  await hive.postTasks([
    { id: 'fetch', type: 'fetch', maxRetries: 0 },
    { id: 'build', type: 'build', input: 'app', dependsOn: ['fetch'] },
  ]);
  expect((await hive.waitForTask('build', { timeoutMs: 5000 })).status).toBe('failed');
  await hive.close();
}

describe('replay.fork', () => {
  it('replaces a failed outcome with a success: the fork carries on from there with real handlers, the original is untouched', async () => {
    const dir = tempDir();
    await failedBuild(dir);
    const before = checksums(dir);
    const replay = await openReplay(dir);
    const fetch = await replay.history('task:fetch');
    const failure = fetch.find((e) => e.input.type === 'attempt.failed')!;
    expect(failure.after.value).toBe('failed');
    const calls: string[] = [];
    const forkDir = join(tempDir(), 'what-if');
    const hive = await replay.fork(failure.seq, {
      dataDir: forkDir,
      replace: { [failure.seq]: { type: 'attempt.succeeded', output: 'pkg-1.0' } },
      hive: {
        logger: memoryLogger().logger,
        handlers: {
          // Replaying never runs handlers: fetch's outcome comes from the (replaced) journal.
          fetch: async () => {
            calls.push('fetch');
            return null;
          },
          build: async (t) => {
            calls.push('build');
            return `built ${String(t.input)} in the fork`;
          },
        },
      },
    });
    forks.push(hive);
    expect(await hive.getTask('fetch')).toMatchObject({ status: 'completed', output: 'pkg-1.0' });
    expect(await hive.waitForTask('build', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'built app in the fork' });
    expect(calls).toEqual(['build']);
    await hive.close();
    await replay.close();
    expect(checksums(dir)).toEqual(before);

    // The fork is a data directory like any other: its own history shows the replaced input and what followed.
    const forked = await openReplay(forkDir);
    try {
      expect(forked.storedSeekData).toBe(true);
      expect(forked.inputs(failure.seq - 1, failure.seq)[0]!.input).toEqual({ type: 'attempt.succeeded', taskId: 'fetch', attempt: 1, output: 'pkg-1.0' });
      expect((await forked.history('task:fetch')).at(-1)).toMatchObject({ seq: failure.seq, after: { value: 'completed' } });
      expect((await forked.history('task:build')).at(-1)).toMatchObject({ input: { type: 'attempt.succeeded' }, after: { value: 'completed' } });
    } finally {
      await forked.close();
    }
  });

  it('runs again the attempts that were running at the fork point', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, handlers: { x: async (t) => `first ${String(t.input)}` } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.waitForTask((await hive.postTask({ id: 'job', type: 'x', input: 1 })).id, { timeoutMs: 5000 });
    await hive.close();
    const replay = await openReplay(dir);
    try {
      const started = (await replay.history('task:job')).find((e) => e.after.value === 'running')!;
      const fork = await replay.fork(started.seq, {
        dataDir: join(tempDir(), 'fork'),
        hive: { logger: memoryLogger().logger, handlers: { x: async (t, ctx) => `again ${String(t.input)} (attempt ${ctx.attempt})` } },
      });
      forks.push(fork);
      expect(await fork.waitForTask('job', { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: 'again 1 (attempt 2)' });
    } finally {
      await replay.close();
    }
  });

  it('refuses replacements outside the recorded input family, bad sequence numbers and used directories, before writing anything', async () => {
    const dir = tempDir();
    await failedBuild(dir);
    const replay = await openReplay(dir);
    try {
      const failure = (await replay.history('task:fetch')).find((e) => e.input.type === 'attempt.failed')!;
      const post = replay.inputs(0, replay.lastSeq).find((r) => r.input.type === 'task.post')!;
      const target = join(tempDir(), 'never-written');
      const refused = async (atSeq: number, replace: Record<number, unknown>, dataDir = target) => {
        const err = await replay.fork(atSeq, { dataDir, replace }).catch((e: unknown) => e);
        expect(isHiveError(err, 'invalid_input'), String(err)).toBe(true);
        return (err as Error).message;
      };
      expect(await refused(failure.seq, { [failure.seq]: { type: 'agent.pause', agentId: 'a' } })).toMatch(
        /a replacement must be one of attempt.succeeded, attempt.failed, attempt.rejected, attempt.lost/,
      );
      expect(await refused(failure.seq, { [failure.seq]: { type: 'attempt.succeeded', output: 1, attempt: 2 } })).toMatch(/attempt: must stay 1/);
      expect(await refused(failure.seq, { [failure.seq]: { type: 'attempt.succeeded', output: 1, taskId: 'build' } })).toMatch(/taskId: must stay "fetch"/);
      expect(await refused(failure.seq, { [failure.seq]: { type: 'attempt.succeeded' } })).toMatch(/needs output/);
      expect(await refused(failure.seq, { [failure.seq]: { type: 'attempt.succeeded', output: 1, colour: 'red' } })).toMatch(/unknown option "colour"/);
      expect(await refused(failure.seq, { [failure.seq]: { type: 'attempt.failed', error: { code: 'x' } } })).toMatch(/error.message/);
      expect(await refused(failure.seq, { [post.seq]: { type: 'task.post' } })).toMatch(
        /only attempt outcomes, verification results, progress reports, handler checkpoints and agent commands can be replaced/,
      );
      expect(await refused(failure.seq, { [failure.seq + 1]: { type: 'attempt.succeeded', output: 1 } })).toMatch(/must name an input from 1 to/);
      expect(await refused(replay.lastSeq + 1, {})).toMatch(/atSeq: must be an integer from 1 to/);
      mkdirSync(join(target, '..', 'used'), { recursive: true });
      writeFileSync(join(target, '..', 'used', 'something'), 'x');
      expect(await refused(failure.seq, {}, join(target, '..', 'used'))).toMatch(/is not empty/);
      await expect(replay.fork(failure.seq, { dataDir: dir })).rejects.toThrow(/not the recorded run itself|is not empty/);
      expect(() => readdirSync(target)).toThrow();
    } finally {
      await replay.close();
    }
  });
});
