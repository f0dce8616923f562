import { describe, expect, it } from 'vitest';
import { ManualClock, memorySource, openReplay, type Replay } from '../src/index.js';
import { HiveStore } from '../src/store/HiveStore.js';
import { framesPerSegment, segmentSize } from '../src/store/SeekDb.js';
import { gate, openHive, tempDir } from './helpers.js';

/**
 * Records a run with a flaky task (fails once, retried by a timer), a task that times out, a
 * dependency that fails (and one that waits on it), a cancel and two agents; checkpoints every 5 inputs.
 */
async function recordRun(dir: string) {
  let flaky = 0;
  const slow = gate();
  const hive = await openHive({
    dataDir: dir,
    checkpoint: { everyInputs: 5 },
    handlers: {
      x: async (t) => t.input,
      flaky: async () => {
        if (++flaky === 1) throw new Error('first attempt fails');
        return 'ok';
      },
      broken: async () => {
        throw new Error('registry down');
      },
      slow: async (_t, ctx) => {
        await Promise.race([slow.promise, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
        return 'late';
      },
    },
  });
  await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x', 'flaky', 'broken', 'slow'], maxConcurrent: 2 });
  await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['x'], priority: 'high' });
  await hive.postTask({ id: 'f', type: 'flaky', maxRetries: 2, backoffMs: 1 });
  await hive.postTasks([
    { id: 'fetch', type: 'broken', maxRetries: 0 },
    { id: 'build', type: 'x', dependsOn: ['fetch'] },
  ]);
  await hive.postTask({ id: 'slow', type: 'slow', timeoutMs: 30, maxRetries: 0 });
  await hive.postTask({ id: 'parked', type: 'x', dependsOn: ['f'] });
  for (let i = 0; i < 6; i++) await hive.postTask({ id: `t${i}`, type: 'x', input: i });
  await hive.postTask({ id: 'never', type: 'nobody-can' });
  await hive.cancelTask('never');
  for (const id of ['f', 'fetch', 'build', 'slow', 'parked', 't0', 't1', 't2', 't3', 't4', 't5']) await hive.waitForTask(id, { timeoutMs: 5000 });
  slow.open();
  await hive.close();
}

/** Every actor address of the run at its end. */
async function addresses(replay: Replay): Promise<string[]> {
  await replay.seek(replay.lastSeq);
  return replay.actors().map((a) => a.address);
}

describe('replay.history', () => {
  it('lists every input that changed a task, with the state before and after and the cause', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const replay = await openReplay(dir);
    try {
      expect(replay.storedSeekData).toBe(true);
      const f = await replay.history('task:f');
      expect(f[0]).toMatchObject({ input: { type: 'task.post' }, before: null, cause: { kind: 'api', from: 'input' } });
      expect(f[0]!.after.context).toMatchObject({ spec: { id: 'f', type: 'flaky' } });
      const failed = f.find((e) => e.input.type === 'attempt.failed')!;
      expect(failed).toMatchObject({
        before: { value: 'running', context: { failures: 0 } },
        after: { value: 'retrying', context: { failures: 1, error: { message: 'first attempt fails' } } },
        cause: { kind: 'outcome', from: 'input' },
      });
      const retried = f.find((e) => e.cause.kind === 'timer')!;
      expect(retried).toMatchObject({ input: { type: 'timer.fired' }, before: { value: 'retrying' }, cause: { from: 'timer' } });
      expect(retried.cause.messages[0]).toEqual({ from: 'timer', event: 'hive.retry' });
      const assigned = f.filter((e) => e.cause.messages.some((m) => m.event === 'hive.assign'));
      expect(assigned.map((e) => e.after.context.attempt)).toEqual([1, 2]);
      expect(f.at(-1)).toMatchObject({ input: { type: 'attempt.succeeded' }, after: { value: 'completed', context: { output: 'ok' } } });
      // Each entry starts where the one before ended.
      for (let i = 1; i < f.length; i++) expect(f[i]!.before!.value).toBe(f[i - 1]!.after.value);
      expect(f.every((e, i) => i === 0 || e.seq > f[i - 1]!.seq)).toBe(true);

      const build = await replay.history('task:build');
      expect(build.at(-1)).toMatchObject({
        after: { value: 'failed', context: { error: { code: 'dependency_failed' } } },
        cause: { kind: 'message', from: 'task:fetch' },
      });
      const slow = await replay.history('task:slow');
      expect(slow.at(-1)).toMatchObject({
        input: { type: 'timer.fired' },
        after: { value: 'timed_out' },
        cause: { kind: 'timer', messages: [{ event: 'hive.timeout' }] },
      });
      const agent = await replay.history('agent:a');
      expect(agent[0]).toMatchObject({ input: { type: 'agent.spawn' }, before: null });
      expect(agent.some((e) => e.cause.from.startsWith('task:') && e.cause.messages[0]!.event === 'hive.task.released')).toBe(true);
      expect(await replay.history('task:nope')).toEqual([]);
      await expect(replay.history('')).rejects.toThrow(/address/);
    } finally {
      await replay.close();
    }
  });

  it('reads the same history from the stored index as a full replay computes, for every actor and any range', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const stored = await openReplay(dir);
    const replayed = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
    try {
      expect(replayed.storedSeekData).toBe(false);
      const all = await addresses(stored);
      expect(all.length).toBeGreaterThan(10);
      for (const address of all) {
        const h = await stored.history(address);
        expect(h, address).toEqual(await replayed.history(address));
        // The coordinator changes only when it supervises; every other actor was created by an input.
        if (address !== 'coordinator') expect(h.length, address).toBeGreaterThan(0);
      }
      const agent = await stored.history('agent:a');
      const mid = agent[Math.floor(agent.length / 2)]!.seq;
      // Ranges are from < seq <= to, as for replay.inputs.
      for (const range of [{ from: mid }, { to: mid }, { from: 3, to: mid + 4 }, { from: mid - 1, to: mid }, { from: mid, to: mid }]) {
        const expected = agent.filter((e) => e.seq > (range.from ?? -1) && e.seq <= (range.to ?? Infinity));
        expect(await stored.history('agent:a', range), JSON.stringify(range)).toEqual(expected);
      }
    } finally {
      await stored.close();
    }
  });

  it('keeps an agent with thousands of changes in sealed segments and reads them back exactly', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, checkpoint: { everyInputs: 97 }, handlers: { x: async (t) => t.input } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    for (let round = 0; round < Math.ceil((2.2 * segmentSize) / 200); round++) {
      // Pause and resume 200 times (each one a change), then some work: calls in order are journaled in order.
      await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? hive.pauseAgent('a') : hive.resumeAgent('a'))));
      const batch = await hive.postTasks(Array.from({ length: 10 }, (_, k) => ({ id: `t${round}-${k}`, type: 'x', input: k })));
      await Promise.all(batch.map((t) => hive.waitForTask(t.id, { timeoutMs: 5000 })));
    }
    await hive.close();
    const store = HiveStore.open(dir, { readOnly: true });
    const segments = [...store.seek.segmentsOf('agent:a')];
    await store.close();
    const sealed = segments.filter(([, v]) => v.sealed);
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    const frames = segments.filter(([, v]) => !v.sealed);
    expect(frames.reduce((n, [, v]) => n + v.n, 0)).toBeLessThan(segmentSize);
    expect(frames.length).toBeLessThan(framesPerSegment);

    const stored = await openReplay(dir);
    const replayed = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
    try {
      const h = await stored.history('agent:a');
      expect(h.length).toBeGreaterThanOrEqual(1000);
      expect(h).toEqual(await replayed.history('agent:a'));
      expect(h.filter((e) => e.input.type === 'agent.pause').map((e) => [e.before!.value, e.after.value])).toContainEqual(['idle', 'paused']);
      expect(h.filter((e) => e.cause.messages.some((m) => m.event === 'hive.task.released')).length).toBeGreaterThanOrEqual(60);
      // One task at a time: its load is 0 or 1, and each entry starts where the one before ended.
      for (const [i, e] of h.entries()) {
        if ('load' in e.after.context) expect([0, 1]).toContain(e.after.context.load);
        if (i > 0) expect(e.before!.value).toBe(h[i - 1]!.after.value);
      }
    } finally {
      await stored.close();
    }
  });

  it('replays what a hive kept no history index for (history: false), also when a later open keeps one', async () => {
    const dir = tempDir();
    const work = async (ids: string[], history?: boolean) => {
      const hive = await openHive({
        dataDir: dir,
        checkpoint: { everyInputs: 4 },
        handlers: { x: async (t) => t.input },
        ...(history === undefined ? {} : { history }),
      });
      if (!(await hive.listAgents()).length) await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
      for (const id of ids) await hive.waitForTask((await hive.postTask({ id, type: 'x', input: id })).id, { timeoutMs: 5000 });
      await hive.close();
    };
    await work(['t0', 't1', 't2', 't3'], false);
    const store = HiveStore.open(dir, { readOnly: true });
    expect(store.seek.historyStart()).toBeGreaterThan(0);
    expect([...store.seek.segmentsOf('agent:a')]).toEqual([]);
    await store.close();
    const check = async () => {
      const stored = await openReplay(dir);
      const replayed = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
      try {
        for (const address of ['agent:a', 'task:t0', 'task:t3', 'task:t5'])
          expect(await stored.history(address), address).toEqual(await replayed.history(address));
        expect((await stored.history('agent:a')).length).toBeGreaterThan(6);
      } finally {
        await stored.close();
      }
    };
    await check();
    await work(['t4', 't5']);
    await check();
  });

  it('replays the inputs after the last checkpoint while a live hive writes the directory', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 }, handlers: { x: async (t) => t.input } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.waitForTask((await hive.postTask({ id: 'early', type: 'x' })).id, { timeoutMs: 5000 });
    await hive.checkpoint();
    await hive.waitForTask((await hive.postTask({ id: 'late', type: 'x' })).id, { timeoutMs: 5000 });
    const stored = await openReplay(dir);
    try {
      expect(stored.seekPoints.at(-1)).toBeLessThan(stored.lastSeq);
      const replayed = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
      for (const address of ['agent:a', 'task:early', 'task:late', 'coordinator'])
        expect(await stored.history(address), address).toEqual(await replayed.history(address));
      expect((await stored.history('task:late')).at(-1)!.after.value).toBe('completed');
    } finally {
      await stored.close();
    }
  });

  it('leaves out an input that left the actor as it was, in the stored index and in a replay alike', async () => {
    const dir = tempDir();
    // The clock stands still: pausing an agent that is paused already changes nothing (not even a time).
    const hive = await openHive({ dataDir: dir, clock: new ManualClock(Date.UTC(2025, 0, 1)), checkpoint: { everyInputs: 1_000_000, everyMs: 86_400_000 } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    await hive.pauseAgent('a');
    await hive.pauseAgent('a');
    await hive.resumeAgent('a');
    await hive.checkpoint();
    // After the last checkpoint: replayed from the stored point instead of read from the index.
    await hive.pauseAgent('a');
    await hive.pauseAgent('a');
    const stored = await openReplay(dir);
    try {
      expect(stored.seekPoints.at(-1)).toBeLessThan(stored.lastSeq);
      const replayed = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
      const h = await stored.history('agent:a');
      expect(h).toEqual(await replayed.history('agent:a'));
      expect(h.map((e) => e.input.type)).toEqual(['agent.spawn', 'agent.pause', 'agent.resume', 'agent.pause']);
    } finally {
      await stored.close();
      await hive.close();
    }
  });
});

describe('replay.why', () => {
  it('names the failed dependency, its attempts, the agent chosen and why, and the timeout', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const replay = await openReplay(dir);
    try {
      await replay.seek(3);
      const build = await replay.why('task:build');
      expect(replay.position).toBe(3);
      expect(build.status).toBe('failed');
      const text = build.steps.map((s) => `${'  '.repeat(s.depth)}${s.text}`).join('\n');
      expect(text).toMatch(/^created by task.post \(input #\d+\), waiting on fetch$/m);
      expect(text).toMatch(/^dependency task:fetch did not succeed, so this task failed/m);
      expect(text).toMatch(/^ {2}attempt 1 assigned to agent a by the coordinator: the best free agent with capability "broken"/m);
      expect(text).toMatch(/^ {2}attempt 1 failed: handler_error: registry down; no retries left \(maxRetries 0\)$/m);
      expect(text).toMatch(/^ {2}final state: failed/m);
      expect(build.steps.at(-1)).toMatchObject({ address: 'task:build', depth: 0, text: expect.stringMatching(/^final state: failed \(dependency_failed/) });

      const f = (await replay.why('task:f')).steps.map((s) => s.text);
      expect(f).toContainEqual(expect.stringMatching(/^attempt 1 failed: handler_error: first attempt fails; retry 1 of 2 at /));
      expect(f).toContain('retry timer fired: back in the queue for attempt 2');
      expect(f.at(-1)).toBe('final state: completed');

      const slow = (await replay.why('task:slow')).steps.map((s) => s.text);
      expect(slow).toContain('attempt 1 timed out (timeoutMs 30); no retries left (maxRetries 0)');
      // b has the higher priority but no "x"-only work was free for it: the ranking lists both.
      const t0 = (await replay.why('task:t0')).steps.find((s) => s.text.includes('assigned'))!.text;
      expect(t0).toMatch(/ranked by agent priority, then load, then least recently used, then registration order; before this input: b \(/);
      expect((await replay.why('task:never')).steps.map((s) => s.text)).toContain('cancelled by an API call');
    } finally {
      await replay.close();
    }
  });
});
