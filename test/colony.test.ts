import { describe, expect, it } from 'vitest';
import { actorTree } from '../src/inspect/actorTree.js';
import { createHive, isHiveError, openReplay, type Json, type WorkerHandler } from '../src/index.js';
import { gate, memoryLogger, nextEvent, openHive, sleep, tempDir, until } from './helpers.js';

/** A handler whose behaviour is chosen by the worker's input. */
const byInput: WorkerHandler = async (job, ctx) => {
  const { kind } = job.input as { kind: string };
  if (kind === 'fast') return { done: job.workerId };
  if (kind === 'slow') {
    await sleep(150);
    return { done: job.workerId, slow: true };
  }
  if (kind === 'fail') throw Object.assign(new Error(`cannot do ${job.workerId}`), { code: 'E_JOB' });
  if (kind === 'partial') return { status: 'partial', summary: 'half of it', output: { files: 1 }, usage: { tokens: 12 } };
  // never finishes on its own: waits for its signal
  return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
};

describe('colony fan-out and fan-in', () => {
  it('reports fast, slow, failing, partial and never-finishing workers in the order asked, and unknown ids as no_such_worker', async () => {
    const hive = await openHive();
    const colony = await hive.spawnColony({ id: 'fan', name: 'fan', handler: byInput, maxResurrections: 0 });
    const kinds = ['slow', 'fast', 'fail', 'partial', 'never'];
    const ids = await colony.spawnBatch(kinds.map((kind) => ({ task: 'job', input: { kind } })));
    expect(ids).toEqual(['w-1', 'w-2', 'w-3', 'w-4', 'w-5']);
    const started = Date.now();
    const reports = await colony.waitForReports([...ids, 'w-99'], { timeoutMs: 600 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(reports.map((r) => [r.workerId, r.status])).toEqual([
      ['w-1', 'success'],
      ['w-2', 'success'],
      ['w-3', 'failed'],
      ['w-4', 'partial'],
      ['w-5', 'timeout'],
      ['w-99', 'failed'],
    ]);
    expect(reports[0]).toMatchObject({ output: { done: 'w-1', slow: true } });
    expect(reports[0]!.durationMs).toBeGreaterThanOrEqual(140);
    expect(reports[2]!.error).toEqual({ code: 'E_JOB', message: 'cannot do w-3' });
    expect(reports[3]).toMatchObject({ summary: 'half of it', output: { files: 1 }, usage: { tokens: 12 } });
    expect(reports[4]!.error?.code).toBe('timeout');
    expect(reports[5]!.error?.code).toBe('no_such_worker');
    // Finished workers answer again from their stored reports, at once.
    const again = await colony.waitForReports(ids, { timeoutMs: 1 });
    expect(again).toEqual(reports.slice(0, 5));
    expect(await colony.status()).toMatchObject({ running: 0, queued: 0, finished: 5, workers: 5 });
  });

  it('1,000 workers fan out and in', async () => {
    const hive = await openHive();
    const colony = await hive.spawnColony({ name: 'big', handler: async (job) => (job.input as number) * 2, maxConcurrentWorkers: 50 });
    const ids = await colony.spawnBatch(Array.from({ length: 1000 }, (_, i) => ({ task: 'double', input: i })));
    expect(new Set(ids).size).toBe(1000);
    const reports = await colony.waitForReports(ids, { timeoutMs: 20_000 });
    expect(reports.every((r, i) => r.status === 'success' && r.output === i * 2 && r.workerId === ids[i])).toBe(true);
    expect(await colony.status()).toMatchObject({ finished: 1000, running: 0, queued: 0 });
  });

  it('queues workers beyond maxConcurrentWorkers and starts them in spawn order', async () => {
    const hive = await openHive();
    const release = gate();
    let running = 0;
    let most = 0;
    const starts: string[] = [];
    const colony = await hive.spawnColony({
      name: 'capped',
      maxConcurrentWorkers: 2,
      handler: async (job) => {
        starts.push(job.workerId);
        running++;
        most = Math.max(most, running);
        await release.promise;
        running--;
        return null;
      },
    });
    const ids = await colony.spawn('wait', { count: 6 });
    await until(() => starts.length === 2);
    await sleep(30);
    expect(starts).toEqual(['w-1', 'w-2']);
    expect(await colony.status()).toMatchObject({ running: 2, queued: 4 });
    release.open();
    const reports = await colony.waitForReports(ids, { timeoutMs: 5000 });
    expect(reports.every((r) => r.status === 'success')).toBe(true);
    expect(most).toBe(2);
    expect(starts).toEqual(ids);
  });

  it('resurrects a crashing worker up to maxResurrections times, then reports failed', async () => {
    const hive = await openHive();
    const attempts: Array<{ attempt: number; last: Json | undefined }> = [];
    const colony = await hive.spawnColony({
      name: 'crashy',
      maxResurrections: 2,
      handler: async (job, ctx) => {
        attempts.push({ attempt: ctx.attempt, last: ctx.lastCheckpoint });
        await ctx.checkpoint({ reached: ctx.attempt });
        if (job.input === 'recovers' && ctx.attempt === 2) return 'made it';
        throw new Error(`crash ${ctx.attempt}`);
      },
    });
    const resurrected: unknown[] = [];
    hive.on('worker.resurrected', (e) => resurrected.push(e.workerId));
    const [always] = await colony.spawn('crash', { input: 'always' });
    const [always2] = await colony.waitForReports([always!], { timeoutMs: 5000 });
    expect(always2).toMatchObject({ status: 'failed', error: { code: 'handler_error', message: 'crash 3' } });
    expect(attempts).toEqual([
      { attempt: 1, last: undefined },
      { attempt: 2, last: { reached: 1 } },
      { attempt: 3, last: { reached: 2 } },
    ]);
    expect(resurrected).toEqual([always, always]);
    const [recovers] = await colony.spawn('crash', { input: 'recovers' });
    expect((await colony.waitForReports([recovers!], { timeoutMs: 5000 }))[0]).toMatchObject({ status: 'success', output: 'made it' });
  });

  it('stops one worker, all workers, and the colony; a stopped colony spawns nothing', async () => {
    const hive = await openHive();
    const aborted: string[] = [];
    const colony = await hive.spawnColony({
      name: 'stoppable',
      maxConcurrentWorkers: 2,
      handler: (job, ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => {
            aborted.push(job.workerId);
            reject(new Error('stopped'));
          }),
        ),
    });
    const ids = await colony.spawn('forever', { count: 5 });
    await until(async () => (await colony.status()).running === 2);
    expect(await colony.stopWorker('w-1')).toMatchObject({ workerId: 'w-1', status: 'stopped' });
    await expect(colony.stopWorker('w-1')).rejects.toMatchObject({ code: 'already_finished' });
    await until(() => aborted.includes('w-1'));
    await until(async () => (await colony.status()).running === 2); // w-3 took the slot
    expect(await colony.stopAll()).toBe(4);
    const reports = await colony.waitForReports(ids, { timeoutMs: 2000 });
    expect(reports.map((r) => r.status)).toEqual(['stopped', 'stopped', 'stopped', 'stopped', 'stopped']);
    await until(() => aborted.length === 3);
    expect(aborted.sort()).toEqual(['w-1', 'w-2', 'w-3']);

    const more = await colony.spawn('forever', { count: 2 });
    await until(async () => (await colony.status()).running === 2);
    const stopped = nextEvent(hive, 'colony.stopped');
    expect(await colony.stop()).toMatchObject({ status: 'stopped', running: 0, queued: 0 });
    expect(await stopped).toMatchObject({ colonyId: colony.id });
    expect((await colony.waitForReports(more)).map((r) => r.status)).toEqual(['stopped', 'stopped']);
    expect(await colony.stop()).toMatchObject({ status: 'stopped' });
    await expect(colony.spawn('again')).rejects.toMatchObject({ name: 'ColonyStoppedError', code: 'colony_stopped' });
  });

  it('delivers messages sent to a worker through ctx.messages, in order', async () => {
    const hive = await openHive();
    const colony = await hive.spawnColony({
      name: 'chat',
      handler: async (_job, ctx) => {
        const got: Json[] = [];
        for await (const m of ctx.messages) {
          if (m === 'done') break;
          got.push(m);
        }
        return got;
      },
    });
    const [id] = await colony.spawn('listen');
    await colony.send(id!, 'one');
    await colony.send(id!, { two: 2 });
    await colony.send(id!, 'done');
    expect((await colony.waitForReports([id!], { timeoutMs: 2000 }))[0]).toMatchObject({ status: 'success', output: ['one', { two: 2 }] });
    await expect(colony.send(id!, 'late')).rejects.toMatchObject({ code: 'already_finished' });
    await expect(colony.send('w-9', 'x')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('emits colony and worker events, each with its colonyId', async () => {
    const hive = await openHive();
    const seen: Array<Record<string, unknown>> = [];
    for (const type of ['colony.spawned', 'worker.spawned', 'worker.finished', 'colony.stopped'] as const) hive.on(type, (e) => seen.push(e));
    const colony = await hive.spawnColony({ id: 'ev', name: 'events', handler: async () => 'ok' });
    const [id] = await colony.spawn('one');
    await colony.waitForReports([id!]);
    await colony.stop();
    expect(seen.map((e) => [e.type, e.colonyId])).toEqual([
      ['colony.spawned', 'ev'],
      ['worker.spawned', 'ev'],
      ['worker.finished', 'ev'],
      ['colony.stopped', 'ev'],
    ]);
    expect(seen[2]).toMatchObject({ workerId: id, report: { workerId: id, status: 'success', output: 'ok' } });
  });

  it('checks its arguments with typed errors before journaling anything', async () => {
    const hive = await openHive();
    const handler = async () => null;
    await expect(hive.spawnColony({ id: 'a/b', name: 'x', handler })).rejects.toMatchObject({ code: 'invalid_input', field: 'id' });
    await expect(hive.spawnColony({ name: 'x' } as never)).rejects.toMatchObject({ code: 'invalid_input', field: 'handler' });
    await expect(hive.spawnColony({ name: 'x', handler, maxConcurrentWorkers: 0 })).rejects.toMatchObject({ field: 'maxConcurrentWorkers' });
    const colony = await hive.spawnColony({ id: 'ok', name: 'x', handler });
    await expect(hive.spawnColony({ id: 'ok', name: 'y', handler })).rejects.toMatchObject({ code: 'duplicate_id' });
    await expect(colony.spawn('', {})).rejects.toMatchObject({ field: 'task' });
    await expect(colony.spawn('t', { count: 0 })).rejects.toMatchObject({ field: 'count' });
    await expect(colony.spawn('t', { input: () => 1 } as never)).rejects.toMatchObject({ field: 'input' });
    await expect(colony.spawnBatch([])).rejects.toMatchObject({ field: 'spawnBatch' });
    expect(() => hive.colony('missing')).toThrow(expect.objectContaining({ code: 'not_found', kind: 'colony' }));
    expect((await hive.status()).lastSeq).toBe(1);
  });
});

describe('colony durability', () => {
  it('a colony closed mid-run finishes on reopen: queued workers run, running ones are resurrected, reports survive', async () => {
    const dir = tempDir();
    const started = gate();
    const first = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    const colony = await first.spawnColony({
      id: 'durable',
      name: 'durable',
      maxConcurrentWorkers: 2,
      handler: async (job, ctx) => {
        if (job.input === 'quick') return 'quick done';
        await ctx.checkpoint({ step: 1 });
        started.open();
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('closing'))));
      },
    });
    const [quick] = await colony.spawn('work', { input: 'quick' });
    await colony.waitForReports([quick!]);
    const ids = await colony.spawn('work', { count: 4, input: 'long' });
    await started.promise;
    expect(await colony.status()).toMatchObject({ running: 2, queued: 2 });
    await first.close();

    const seen: Array<{ id: string; attempt: number; last: Json | undefined }> = [];
    const second = await createHive({
      dataDir: dir,
      logger: memoryLogger().logger,
      colonies: {
        durable: async (job, ctx) => {
          seen.push({ id: job.workerId, attempt: ctx.attempt, last: ctx.lastCheckpoint });
          return `${job.workerId} resumed`;
        },
      },
    });
    try {
      const again = second.colony('durable');
      const reports = await again.waitForReports([quick!, ...ids], { timeoutMs: 5000 });
      expect(reports.map((r) => r.status)).toEqual(['success', 'success', 'success', 'success', 'success']);
      expect(reports[0]!.output).toBe('quick done');
      expect(seen.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual([
        { id: 'w-2', attempt: 2, last: { step: 1 } },
        { id: 'w-3', attempt: 2, last: { step: 1 } },
        { id: 'w-4', attempt: 1, last: undefined },
        { id: 'w-5', attempt: 1, last: undefined },
      ]);
      expect((await second.listColonies()).map((c) => [c.id, c.finished])).toEqual([['durable', 5]]);
    } finally {
      await second.close();
    }
  });

  it('workers wait for a handler attached after a restart', async () => {
    const dir = tempDir();
    const first = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    const colony = await first.spawnColony({
      id: 'later',
      name: 'later',
      handler: (_job, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('x')))),
    });
    const ids = await colony.spawn('job', { count: 3 });
    await first.close();
    const second = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    try {
      const c = second.colony('later');
      await sleep(50);
      expect(await c.status()).toMatchObject({ finished: 0 });
      c.attach(async (job) => `late ${job.workerId}`);
      const reports = await c.waitForReports(ids, { timeoutMs: 5000 });
      expect(reports.map((r) => r.output)).toEqual(['late w-1', 'late w-2', 'late w-3']);
    } finally {
      await second.close();
    }
  });

  it('replay verifies a run with colonies, and the inspector tree shows colony -> workers', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, logger: memoryLogger().logger });
    const colony = await hive.spawnColony({ id: 'rv', name: 'replayed', handler: byInput, maxResurrections: 1, maxConcurrentWorkers: 2 });
    const ids = await colony.spawnBatch(['fast', 'fail', 'partial', 'slow', 'never'].map((kind) => ({ task: 'job', input: { kind } })));
    await colony.send(ids[4]!, 'hello');
    await colony.waitForReports(ids, { timeoutMs: 400 });
    await hive.close();
    const replay = await openReplay(dir);
    try {
      const report = await replay.verify();
      expect(report.actors).toBeGreaterThanOrEqual(7);
      await replay.seek(replay.lastSeq);
      const tree = actorTree(replay.actors());
      expect(tree.find((a) => a.address === 'colony:rv')).toMatchObject({ kind: 'colony', parent: 'coordinator', status: 'running' });
      expect(tree.filter((a) => a.parent === 'colony:rv').map((a) => [a.address, a.status])).toEqual([
        ['worker:rv/w-1', 'success'],
        ['worker:rv/w-2', 'failed'],
        ['worker:rv/w-3', 'partial'],
        ['worker:rv/w-4', 'success'],
        ['worker:rv/w-5', 'timeout'],
      ]);
    } finally {
      await replay.close();
    }
  });
});

describe('colony errors', () => {
  it('are HiveErrors with codes', async () => {
    const hive = await openHive();
    try {
      hive.colony('nope');
    } catch (err) {
      expect(isHiveError(err, 'not_found')).toBe(true);
    }
  });
});
