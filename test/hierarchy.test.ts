import { describe, expect, it } from 'vitest';
import { createHive, openReplay, type Handler, type HiveNotice, type HiveOptions, type Json } from '../src/index.js';
import { memoryLogger, openHive, settle, tempDir, until } from './helpers.js';

/** Waits for its signal: a task that runs until it is cancelled. */
const forever: Handler = (_t, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));

describe('sub-agents', () => {
  it('ctx.spawnAgent spawns one level below the calling agent, and a level-3 agent gets DepthLimitError', async () => {
    // A task of type spawn<n> runs on the level-n agent and asks for a sub-agent able to take spawn<n+1>.
    const spawnOneBelow: Handler = async (t, ctx) => {
      const next = Number(t.type.slice(5)) + 1;
      try {
        const sub = await ctx.spawnAgent({ id: `agent-${next}`, name: `level ${next}`, capabilities: [`spawn${next}`] });
        return { level: sub.level, parentId: sub.parentId ?? null } as Json;
      } catch (err) {
        return { error: (err as { code?: string }).code ?? null, name: (err as Error).name };
      }
    };
    const hive = await openHive({
      handlers: {
        spawn1: spawnOneBelow,
        spawn2: spawnOneBelow,
        spawn3: spawnOneBelow,
        other: async (_t, ctx) =>
          ctx.spawnAgent({ name: 'x', capabilities: ['x'], parentId: 'someone-else' }).then(
            () => 'spawned',
            (err: { field?: string }) => `refused ${err.field}`,
          ),
      },
    });
    await hive.spawnAgent({ id: 'agent-1', name: 'level 1', capabilities: ['spawn1', 'other'] });
    const outputs = [];
    for (const type of ['spawn1', 'spawn2', 'spawn3']) {
      const t = await hive.postTask({ type });
      outputs.push((await hive.waitForTask(t.id, { timeoutMs: 5000 })).output);
    }
    expect(outputs).toEqual([
      { level: 2, parentId: 'agent-1' },
      { level: 3, parentId: 'agent-2' },
      { error: 'depth_limit', name: 'DepthLimitError' },
    ]);
    expect((await hive.listAgents()).map((a) => [a.id, a.level])).toEqual([
      ['agent-3', 3],
      ['agent-2', 2],
      ['agent-1', 1],
    ]);
    const t = await hive.postTask({ type: 'other' });
    expect((await hive.waitForTask(t.id, { timeoutMs: 5000 })).output).toBe('refused parentId');
  });

  it('stopping an agent stops its sub-agents, and theirs', async () => {
    const hive = await openHive();
    await hive.spawnAgent({ id: 'root', name: 'root', capabilities: ['x'] });
    await hive.spawnAgent({ id: 'mid', name: 'mid', capabilities: ['x'], parentId: 'root' });
    await hive.spawnAgent({ id: 'leaf', name: 'leaf', capabilities: ['x'], parentId: 'mid' });
    await hive.spawnAgent({ id: 'apart', name: 'apart', capabilities: ['x'] });
    await hive.stopAgent('root');
    const status = Object.fromEntries((await hive.listAgents()).map((a) => [a.id, a.status]));
    expect(status).toEqual({ root: 'stopped', mid: 'stopped', leaf: 'stopped', apart: 'idle' });
  });

  it('listAgents filters by owner and status, newest first, up to limit', async () => {
    const hive = await openHive();
    for (const [id, owner] of [
      ['a', 'ann'],
      ['b', 'bob'],
      ['c', 'ann'],
      ['d', 'ann'],
    ]) {
      await hive.spawnAgent({ id: id!, name: id!, capabilities: ['x'], owner: owner! });
    }
    await hive.pauseAgent('c');
    expect((await hive.listAgents({ owner: 'ann' })).map((a) => a.id)).toEqual(['d', 'c', 'a']);
    expect((await hive.listAgents({ owner: 'ann', status: 'idle' })).map((a) => a.id)).toEqual(['d', 'a']);
    expect((await hive.listAgents({ owner: 'ann', limit: 2 })).map((a) => a.id)).toEqual(['d', 'c']);
    expect((await hive.listAgents()).map((a) => a.id)).toEqual(['d', 'c', 'b', 'a']);
    await expect(hive.listAgents({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
  });
});

describe('sub-tasks', () => {
  /** root (on boss) posts mid and leaf; mid posts a grandchild leaf and completes; leaves run until cancelled, one at a time. */
  const handlers: HiveOptions['handlers'] = {
    root: async (t, ctx) => {
      await ctx.postTask({ id: `${t.id}-mid`, type: 'mid' });
      await ctx.postTask({ id: `${t.id}-leaf`, type: 'leaf', owner: 'someone' });
      return forever(t, ctx);
    },
    mid: async (t, ctx) => {
      await ctx.postTask({ id: `${t.id}-leaf`, type: 'leaf' });
      return 'mid done';
    },
    leaf: forever,
  };

  async function grow(hive: Awaited<ReturnType<typeof createHive>>) {
    await hive.spawnAgent({ id: 'boss', name: 'boss', capabilities: ['root'] });
    await hive.spawnAgent({ id: 'hand', name: 'hand', capabilities: ['mid', 'leaf'] });
    await hive.postTask({ id: 'r', type: 'root', owner: 'ann' });
    await until(async () => (await hive.listTasks({ limit: 10 })).length === 4);
    await hive.waitForTask('r-mid', { timeoutMs: 5000 });
    await until(async () => (await hive.listTasks({ status: 'running' })).length === 2);
  }

  it('ctx.postTask sets parentTaskId; cancelling a task cancels its whole subtree, queued and running, through finished tasks', async () => {
    const hive = await openHive({ handlers });
    await grow(hive);
    expect(await hive.getTask('r-mid')).toMatchObject({ parentTaskId: 'r', status: 'completed' });
    expect(await hive.getTask('r-mid-leaf')).toMatchObject({ parentTaskId: 'r-mid' });
    const before = Object.fromEntries((await hive.listTasks()).map((t) => [t.id, t.status]));
    expect(Object.values(before).sort()).toEqual(['completed', 'pending', 'running', 'running']);
    await hive.cancelTask('r', { by: 'ann' });
    await settle();
    const after = Object.fromEntries((await hive.listTasks()).map((t) => [t.id, t.status]));
    expect(after).toEqual({ r: 'cancelled', 'r-mid': 'completed', 'r-leaf': 'cancelled', 'r-mid-leaf': 'cancelled' });
    expect((await hive.getAgent('hand')).load).toBe(0);
  });

  it('cancels the subtree after a restart too, and replay verifies the run', async () => {
    const dir = tempDir();
    const first = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers });
    await grow(first);
    await first.close();
    const second = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers });
    try {
      await until(async () => (await second.listTasks({ status: 'running' })).length === 2);
      await second.cancelTask('r', { by: 'ann' });
      await settle();
      expect(Object.fromEntries((await second.listTasks()).map((t) => [t.id, t.status]))).toEqual({
        r: 'cancelled',
        'r-mid': 'completed',
        'r-leaf': 'cancelled',
        'r-mid-leaf': 'cancelled',
      });
    } finally {
      await second.close();
    }
    const replay = await openReplay(dir);
    try {
      expect((await replay.verify()).actors).toBeGreaterThanOrEqual(6);
    } finally {
      await replay.close();
    }
  });

  it('a parentTaskId must name an existing task; listTasks filters by owner, newest first', async () => {
    const hive = await openHive();
    await expect(hive.postTask({ type: 'x', parentTaskId: 'missing' })).rejects.toMatchObject({ code: 'not_found' });
    await hive.postTask({ id: 'p', type: 'x', owner: 'ann' });
    await hive.postTask({ id: 'q', type: 'x', owner: 'bob', parentTaskId: 'p' });
    await hive.postTask({ id: 's', type: 'x', owner: 'ann', parentTaskId: 'q' });
    expect((await hive.listTasks({ owner: 'ann' })).map((t) => t.id)).toEqual(['s', 'p']);
    await hive.cancelTask('p', { by: 'ann' });
    expect((await hive.listTasks()).map((t) => [t.id, t.status])).toEqual([
      ['s', 'cancelled'],
      ['q', 'cancelled'],
      ['p', 'cancelled'],
    ]);
  });
});

describe('notify', () => {
  it('calls the notifier once when a task or worker with notify: true finishes, never when cancelled or stopped, and survives a throwing notifier', async () => {
    const notices: HiveNotice[] = [];
    const logged = memoryLogger();
    let throwNext = false;
    const hive = await openHive({
      logger: logged.logger,
      handlers: { ok: async () => 'fine', bad: async () => Promise.reject(new Error('nope')), slow: forever },
      notify: (n) => {
        notices.push(n);
        if (throwNext) throw new Error('notifier down');
      },
    });
    await hive.spawnAgent({ name: 'w', capabilities: ['ok', 'bad', 'slow'], maxConcurrent: 4 });
    await hive.postTask({ id: 'ok', type: 'ok', notify: true });
    await hive.postTask({ id: 'quiet', type: 'ok' });
    await hive.postTask({ id: 'bad', type: 'bad', notify: true, maxRetries: 0 });
    await hive.postTask({ id: 'slow', type: 'slow', notify: true });
    for (const id of ['ok', 'quiet', 'bad']) await hive.waitForTask(id, { timeoutMs: 5000 });
    await hive.cancelTask('slow');
    const colony = await hive.spawnColony({ id: 'nc', name: 'nc', handler: async (job) => (job.input === 'hang' ? new Promise(() => undefined) : job.input) });
    const [w1] = await colony.spawn('job', { input: 'done', notify: true });
    const [hang] = await colony.spawn('job', { input: 'hang', notify: true });
    await colony.waitForReports([w1!]);
    await colony.stopWorker(hang!);
    throwNext = true;
    const [w3] = await colony.spawn('job', { input: 'after', notify: true });
    await colony.waitForReports([w3!]);
    await until(() => notices.length === 4);
    await settle();
    expect(notices.map((n) => (n.kind === 'task' ? ['task', n.task.id, n.task.status] : ['worker', n.colonyId, n.report.workerId, n.report.status]))).toEqual([
      ['task', 'ok', 'completed'],
      ['task', 'bad', 'failed'],
      ['worker', 'nc', w1, 'success'],
      ['worker', 'nc', w3, 'success'],
    ]);
    await until(() => logged.lines.some((l) => l.msg === 'the notifier threw; the work it reports on is unaffected'));
    expect((await hive.postTask({ type: 'ok', notify: true })).id).toBeTruthy();
  });
});
