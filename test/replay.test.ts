import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskMachine } from '../machines/task.js';
import { DeterminismViolationError, exportRecording, memorySource, openDataDir, openReplay, type InspectionRecord } from '../src/index.js';
import { openHive, tempDir } from './helpers.js';

/** Records a run with retries, two agents and a dependency; returns the live status of every actor after each input. */
async function recordRun(dir: string) {
  let calls = 0;
  const hive = await openHive({
    dataDir: dir,
    checkpoint: { everyInputs: 7 },
    handlers: {
      x: async (t) => t.input,
      flaky: async () => {
        if (++calls === 1) throw new Error('first attempt fails');
        return 'ok';
      },
    },
  });
  const live = new Map<number, Map<string, string>>();
  const current = new Map<string, string>();
  hive.inspect((r: InspectionRecord) => {
    if (r.kind === 'actor.created' || r.kind === 'actor.restored') current.set(r.address, r.state);
    if (r.kind === 'transition') current.set(r.address, r.to);
    live.set(r.seq, new Map(current));
  });
  await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x', 'flaky'] });
  await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['x'] });
  const f = await hive.postTask({ id: 'f', type: 'flaky', maxRetries: 2, backoffMs: 1 });
  const tasks = [];
  for (let i = 0; i < 4; i++) tasks.push(await hive.postTask({ id: `t${i}`, type: 'x', input: i, dependsOn: i === 3 ? ['f'] : [] }));
  for (const t of [f, ...tasks]) await hive.waitForTask(t.id, { timeoutMs: 5000 });
  await hive.close();
  return { live };
}

describe('Replay', () => {
  it('seeks to every point, forward and back, and matches the live run', async () => {
    const dir = tempDir();
    const { live } = await recordRun(dir);
    const replay = await openReplay(dir, { seekEvery: 4 });
    try {
      const last = replay.lastSeq;
      expect(last).toBeGreaterThan(10);
      const order = [...Array(last + 1).keys()];
      for (const seq of [...order, ...order.reverse(), 3, last - 1, 2, 9, last, 0]) {
        await replay.seek(seq);
        expect(replay.position).toBe(seq);
        let expected: Map<string, string> | undefined;
        for (let s = seq; s >= 1 && !expected; s--) expected = live.get(s);
        const got = new Map(
          replay
            .actors()
            .filter((a) => a.kind !== 'coordinator')
            .map((a) => [a.address, a.status]),
        );
        expect(Object.fromEntries(got), `at seq ${seq}`).toEqual(Object.fromEntries([...(expected ?? new Map())].filter(([k]) => k !== 'coordinator')));
      }
      // The hive checkpointed every 7 inputs: those checkpoints are the seek points, read from its seek data.
      expect(replay.storedSeekData).toBe(true);
      expect(replay.seekPoints[0]).toBe(0);
      expect(replay.seekPoints.length).toBeGreaterThanOrEqual(3);
      expect(await replay.seek(last + 50)).toBe(last);
    } finally {
      await replay.close();
    }
  });

  it('steps, shows one actor, lists inputs and diffs two points', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const replay = await openReplay(dir, { seekEvery: 5 });
    try {
      await replay.seek(2);
      expect(replay.actor('agent:b')?.status).toBe('idle');
      expect(replay.actor('task:f')).toBeUndefined();
      await replay.step();
      expect(replay.position).toBe(3);
      expect(replay.actor('task:f')?.kind).toBe('task');
      await replay.step(-2);
      expect(replay.position).toBe(1);
      expect(replay.actor('agent:b')).toBeUndefined();
      expect(replay.inputs(0, 3).map((r) => r.input.type)).toEqual(['agent.spawn', 'agent.spawn', 'task.post']);
      const changes = await replay.diff(2, 3);
      expect(changes.find((c) => c.address === 'task:f')).toMatchObject({ change: 'added' });
      expect(changes.find((c) => c.address === 'agent:a')).toMatchObject({ change: 'changed', from: 'idle', to: 'busy' });
      expect(changes.find((c) => c.address === 'agent:a')!.fields).toContain('load');
      expect(await replay.diff(3, 3)).toEqual([]);
      const timeline = await replay.timeline(2, 3);
      expect(timeline.filter((r) => r.kind === 'transition').map((r) => (r as { address: string }).address)).toContain('task:f');
      expect(replay.position).toBe(3);
    } finally {
      await replay.close();
    }
  });

  it('verify passes on the recorded run and names the first divergence with a changed machine', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const replay = await openReplay(dir);
    try {
      const report = await replay.verify();
      expect(report.checkpointSeq).toBe(replay.lastSeq);
      expect(report.actors).toBeGreaterThanOrEqual(7);
      // The changed machine never retries: the flaky task's first failure becomes final.
      const noRetries = taskMachine.provide({ guards: { currentAttemptWithRetries: () => false } });
      const failedSeq = replay.inputs(0, replay.lastSeq).find((r) => r.input.type === 'attempt.failed')!.seq;
      const err = await replay.verify({ machines: { task: noRetries } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeterminismViolationError);
      expect(err).toMatchObject({ code: 'determinism_violation', seq: failedSeq, address: 'task:f' });
      expect((err as Error).message).toMatch(/input \d+, actor task:f/);
    } finally {
      await replay.close();
    }
  });

  it('verify without lockstep matches recorded outcomes against the effects the replay dispatched', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const replay = await openReplay(dir);
    try {
      const noRetries = taskMachine.provide({ guards: { currentAttemptWithRetries: () => false } });
      const secondAttempt = replay.inputs(0, replay.lastSeq).find((r) => r.input.type === 'attempt.succeeded' && r.input.taskId === 'f')!;
      expect(secondAttempt.input).toMatchObject({ attempt: 2 });
      const err = await replay.verify({ machines: { task: noRetries }, lockstep: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'determinism_violation', seq: secondAttempt.seq, address: 'task:f' });
      expect((err as Error).message).toMatch(/never dispatched/);
    } finally {
      await replay.close();
    }
  });

  it('exports a run to one file and replays the imported recording', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const file = join(tempDir(), 'run.ndjson');
    const src = openDataDir(dir);
    const counts = await exportRecording(src, file);
    expect(counts.records).toBe(src.lastSeq());
    expect(counts.actors).toBeGreaterThanOrEqual(7);
    const fromDir = await openReplay(src);
    const fromFile = await openReplay(file);
    try {
      expect(fromFile.lastSeq).toBe(fromDir.lastSeq);
      for (const seq of [1, 5, fromDir.lastSeq]) {
        await fromDir.seek(seq);
        await fromFile.seek(seq);
        expect(fromFile.actors()).toEqual(fromDir.actors());
      }
      expect((await fromFile.verify()).checkpointSeq).toBe(fromDir.lastSeq);
    } finally {
      await fromDir.close();
      await fromFile.close();
    }
    await expect(openReplay(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });

  it('opens a data directory read-only while a live hive writes it', async () => {
    const dir = tempDir();
    const hive = await openHive({ dataDir: dir, handlers: { x: async () => 1 } });
    await hive.spawnAgent({ id: 'a', name: 'a', capabilities: ['x'] });
    const replay = await openReplay(dir);
    try {
      const before = replay.lastSeq;
      expect(before).toBeGreaterThanOrEqual(1);
      const t = await hive.postTask({ id: 'late', type: 'x' });
      await hive.waitForTask(t.id, { timeoutMs: 5000 });
      expect(replay.lastSeq).toBeGreaterThan(before);
      await replay.seek(replay.lastSeq);
      expect(replay.actor('task:late')?.status).toBe('completed');
      await expect(replay.source.records(0, 1)[Symbol.iterator]().next().value).toMatchObject({ seq: 1 });
    } finally {
      await replay.close();
    }
  });

  it('replays a compacted journal from the stored checkpoint that covers it', async () => {
    const dir = tempDir();
    await recordRun(dir);
    const before = openDataDir(dir);
    const stored = before.storedState()!;
    await before.close();
    const hive = await openHive({ dataDir: dir, handlers: { x: async () => 'later' } });
    await hive.waitForTask((await hive.postTask({ id: 'late', type: 'x' })).id, { timeoutMs: 5000 });
    await hive.close();
    const full = await openReplay(dir);
    const journal = full.inputs(0, full.lastSeq);
    const compacted = await openReplay(
      memorySource(
        'compacted',
        journal.filter((r) => r.seq > stored.seq),
        stored,
      ),
      { seekEvery: 2 },
    );
    try {
      expect(compacted.firstSeq).toBe(stored.seq);
      expect(await compacted.seek(0)).toBe(stored.seq);
      for (const seq of [full.lastSeq, stored.seq, stored.seq + 1, full.lastSeq - 1]) {
        await full.seek(seq);
        await compacted.seek(seq);
        expect(compacted.actors(), `at ${seq}`).toEqual(full.actors());
      }
      expect(compacted.actor('task:late')?.status).toBeDefined();
      await expect(compacted.verify()).rejects.toThrow(/compacted/);
      await expect(
        openReplay(
          memorySource(
            'gap',
            journal.filter((r) => r.seq > stored.seq + 1),
            stored,
          ),
        ),
      ).rejects.toThrow(/cannot be replayed/);
    } finally {
      await full.close();
      await compacted.close();
    }
  });
});
