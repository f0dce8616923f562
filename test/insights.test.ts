import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, memorySource, openReplay, ValidationError, type Handler } from '../src/index.js';
import { gate, memoryLogger, openHive, tempDir, until } from './helpers.js';

/** A handler each of whose runs waits until the test opens its gate (so the test sets durations with a ManualClock). */
function heldRuns() {
  const gates = new Map<string, { open: () => void }>();
  const handler: Handler = async (t, ctx) => {
    const g = gate();
    gates.set(t.id, g);
    // Closing the hive aborts the runs still held.
    ctx.signal.addEventListener('abort', () => g.open());
    await g.promise;
    return null;
  };
  const finish = async (id: string) => {
    await until(() => gates.has(id));
    gates.get(id)!.open();
  };
  return { handler, finish, started: (id: string) => gates.has(id) };
}

describe('insights', () => {
  it('predicts the agent and the duration when a task is posted and scores the prediction when it ends', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const runs = heldRuns();
    const hive = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger, handlers: { job: runs.handler } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'] });

    // No history yet: the agent the direct rule picks, no duration.
    await hive.postTask({ id: 't1', type: 'job' });
    expect((await hive.getTask('t1')).prediction).toEqual({ agentId: 'a1', durationMs: null });
    await until(() => runs.started('t1'));
    clock.advance(100);
    await runs.finish('t1');
    await hive.waitForTask('t1', { timeoutMs: 5000 });

    // a1 took 100 ms; this one takes 150: 33.3% off.
    await hive.postTask({ id: 't2', type: 'job' });
    expect((await hive.getTask('t2')).prediction).toEqual({ agentId: 'a1', durationMs: 100 });
    await until(() => runs.started('t2'));
    clock.advance(150);
    await runs.finish('t2');
    await hive.waitForTask('t2', { timeoutMs: 5000 });

    // a1 is busy with d when t3 is posted: the agent that completed the last job is expected, but a2 arrives and takes it.
    await hive.postTask({ id: 'd', type: 'job' });
    await until(() => runs.started('d'));
    await hive.postTask({ id: 't3', type: 'job' });
    expect((await hive.getTask('d')).prediction).toEqual({ agentId: 'a1', durationMs: 125 });
    expect((await hive.getTask('t3')).prediction).toEqual({ agentId: 'a1', durationMs: 125 });
    await hive.spawnAgent({ id: 'a2', name: 'a2', capabilities: ['job'] });
    await until(() => runs.started('t3'));
    clock.advance(125);
    await runs.finish('t3');
    await runs.finish('d');
    await hive.waitForTask('t3', { timeoutMs: 5000 });
    await hive.waitForTask('d', { timeoutMs: 5000 });
    expect((await hive.getTask('t3')).assignedTo).toBe('a2');

    const expected = { made: 4, scored: 4, winnerAccuracy: 0.75, durationErrorPct: (100 * (50 / 150)) / 3 };
    const insights = hive.insights();
    expect(insights.enabled).toBe(true);
    expect(insights.predictions.made).toBe(4);
    expect(insights.predictions.scored).toBe(4);
    expect(insights.predictions.winnerAccuracy).toBe(0.75);
    expect(insights.predictions.durationErrorPct).toBeCloseTo(expected.durationErrorPct, 9);
    expect((await hive.status()).predictions).toEqual(insights.predictions);

    // A task still running counts as made, not scored.
    await hive.postTask({ id: 't4', type: 'job' });
    expect(hive.insights().predictions).toMatchObject({ made: 5, scored: 4 });
    await until(() => runs.started('t4'));
    await runs.finish('t4');
    await hive.waitForTask('t4', { timeoutMs: 5000 });
    const figures = hive.insights().predictions;
    await hive.close();

    // The figures are part of the journaled state: a reopened hive and a replay from the journal alone agree.
    const reopened = await createHive({ dataDir: dir, clock, logger: memoryLogger().logger });
    try {
      expect(reopened.insights().predictions).toEqual(figures);
    } finally {
      await reopened.close();
    }
    const stored = await openReplay(dir);
    const full = await openReplay(memorySource('journal only', stored.inputs(0, stored.lastSeq)));
    try {
      await stored.seek(stored.lastSeq);
      await full.seek(full.lastSeq);
      expect(full.actor('insights')).toEqual(stored.actor('insights'));
      expect(full.actor('task:t3')).toEqual(stored.actor('task:t3'));
    } finally {
      await stored.close();
      await full.close();
    }
  });

  it('is switched off with insights: false (journaled, so replay agrees), and on again by default', async () => {
    const dir = tempDir();
    const hive = await createHive({ dataDir: dir, insights: false, logger: memoryLogger().logger, handlers: { job: async () => null } });
    await hive.spawnAgent({ id: 'a1', name: 'a1', capabilities: ['job'] });
    await hive.waitForTask((await hive.postTask({ id: 'off', type: 'job' })).id, { timeoutMs: 5000 });
    await hive.postTask({ id: 'stuck', type: 'nobody' });
    expect((await hive.getTask('off')).prediction).toBeUndefined();
    expect(hive.insights()).toEqual({ enabled: false, predictions: { made: 0, scored: 0, winnerAccuracy: null, durationErrorPct: null }, advisories: [] });
    await hive.close();

    const again = await createHive({ dataDir: dir, logger: memoryLogger().logger, handlers: { job: async () => null } });
    let onPrediction: unknown;
    try {
      await again.waitForTask((await again.postTask({ id: 'on', type: 'job' })).id, { timeoutMs: 5000 });
      // The learner kept counting while insights were off: a1's duration is known.
      onPrediction = (await again.getTask('on')).prediction;
      expect(onPrediction).toEqual({ agentId: 'a1', durationMs: expect.any(Number) });
      expect(again.insights()).toMatchObject({ enabled: true, predictions: { made: 1, scored: 1, winnerAccuracy: 1 } });
      expect(again.insights().advisories.map((a) => a.kind)).toEqual(['no_capable_agent']);
    } finally {
      await again.close();
    }
    const recorded = await openReplay(dir);
    const journal = recorded.inputs(0, Number.MAX_SAFE_INTEGER);
    await recorded.close();
    const replay = await openReplay(memorySource('journal only', journal));
    try {
      await replay.seek(replay.lastSeq);
      expect((replay.actor('task:off')!.snapshot as { context: { spec: object } }).context.spec).not.toHaveProperty('prediction');
      expect((replay.actor('task:on')!.snapshot as { context: { spec: { prediction?: unknown } } }).context.spec.prediction).toEqual(onPrediction);
    } finally {
      await replay.close();
    }
    await expect(createHive({ dataDir: tempDir(), insights: 'no' as unknown as boolean })).rejects.toThrow(ValidationError);
  });

  it('advises on an agent failing a task type, a type no agent can take and an agent that keeps losing auctions, most severe first', async () => {
    const hive = await openHive({
      handlers: {
        download: async (t) => {
          if ((t.input as number) % 2 === 0) throw new Error('mirror down');
          return null;
        },
        build: async () => null,
      },
    });
    await hive.spawnAgent({ id: 'dl', name: 'dl', capabilities: ['download'], failureThreshold: 100 });
    for (let i = 0; i < 5; i++) await hive.waitForTask((await hive.postTask({ type: 'download', input: i, maxRetries: 0 })).id, { timeoutMs: 5000 });
    // 3 of 5 failed (inputs 0, 2, 4): over the 40% threshold, under the critical 75%.
    expect(hive.insights().advisories).toEqual([
      { kind: 'agent_failure_rate', severity: 'warning', message: 'agent dl fails 60% of download tasks (3 of 5)', agentId: 'dl', taskType: 'download' },
    ]);

    await hive.spawnAgent({ id: 'cheap', name: 'cheap', capabilities: ['build'], bid: () => 1 });
    await hive.spawnAgent({ id: 'dear', name: 'dear', capabilities: ['build'], bid: () => 9 });
    for (let i = 0; i < 5; i++) {
      const t = await hive.postTask({ type: 'build', assign: 'auction', auction: { windowMs: 20 } });
      await hive.waitForTask(t.id, { timeoutMs: 5000 });
    }
    await hive.postTasks([
      { id: 'p1', type: 'paint' },
      { id: 'p2', type: 'paint' },
    ]);
    const advisories = hive.insights().advisories;
    expect(advisories.map((a) => [a.kind, a.severity])).toEqual([
      ['no_capable_agent', 'critical'],
      ['agent_failure_rate', 'warning'],
      ['losing_auctions', 'info'],
    ]);
    expect(advisories[0]).toEqual({
      kind: 'no_capable_agent',
      severity: 'critical',
      message: '2 paint tasks wait: no agent has the capability paint',
      taskType: 'paint',
    });
    expect(advisories[2]).toEqual({
      kind: 'losing_auctions',
      severity: 'info',
      message: 'agent dear lost 5 of the 5 build auctions it bid in',
      agentId: 'dear',
      taskType: 'build',
    });

    // A painter arrives: that advisory goes; failing agents go critical past 75%.
    await hive.spawnAgent({ id: 'painter', name: 'painter', capabilities: ['paint'] });
    for (let i = 0; i < 8; i++) await hive.waitForTask((await hive.postTask({ type: 'download', input: 0, maxRetries: 0 })).id, { timeoutMs: 5000 });
    expect(hive.insights().advisories.map((a) => [a.kind, a.severity, a.agentId ?? a.taskType])).toEqual([
      ['agent_failure_rate', 'critical', 'dl'],
      ['losing_auctions', 'info', 'dear'],
    ]);
  });

  it('advises when a queue grows faster than it drains, over the last minute of journaled time', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const runs = heldRuns();
    const hive = await openHive({ clock, handlers: { job: runs.handler, other: async () => null } });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'] });
    for (let i = 0; i < 8; i++) {
      await hive.postTask({ id: `j${i}`, type: 'job' });
      clock.advance(1000);
    }
    const growing = hive.insights().advisories;
    expect(growing).toEqual([
      {
        kind: 'queue_growing',
        severity: 'critical',
        message: 'the job queue grows faster than it drains: 8 posted, 0 ended in the last 60 s; 7 queued',
        taskType: 'job',
      },
    ]);
    // Two end: still growing (8 in, 2 out), no longer critical.
    await runs.finish('j0');
    await until(() => runs.started('j1'));
    await runs.finish('j1');
    await hive.waitForTask('j1', { timeoutMs: 5000 });
    expect(hive.insights().advisories.map((a) => [a.kind, a.severity])).toEqual([['queue_growing', 'warning']]);
    // The window ends at the last journaled input, not at the wall clock: a minute later, once an input is journaled, the arrivals are old.
    clock.advance(70_000);
    expect(hive.insights().advisories.map((a) => a.kind)).toEqual(['queue_growing']);
    await hive.spawnAgent({ id: 'o', name: 'o', capabilities: ['other'] });
    expect(hive.insights().advisories).toEqual([]);
  });

  it('status() counts open auctions', async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const hive = await openHive({ clock, handlers: { build: async () => null } });
    await hive.spawnAgent({ id: 'b', name: 'b', capabilities: ['build'], bid: () => 1 });
    expect((await hive.status()).openAuctions).toBe(0);
    await hive.postTask({ id: 'x', type: 'build', assign: 'auction', auction: { windowMs: 1000 } });
    await hive.postTask({ id: 'y', type: 'build', assign: 'auction', auction: { windowMs: 1000 } });
    expect((await hive.status()).openAuctions).toBe(2);
    clock.advance(1000);
    await hive.waitForTask('x', { timeoutMs: 5000 });
    await until(async () => (await hive.status()).openAuctions === 1);
  });
});
