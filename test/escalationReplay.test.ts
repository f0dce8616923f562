/** @module Replay of a run with agent failover, suspension, escalations, priority boosts and phases: `verify()` reproduces it exactly. */
import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, openReplay, type Handler } from '../src/index.js';
import { gate, memoryLogger, tempDir, until } from './helpers.js';

describe('replay of escalations and boosts', () => {
  it('verify() passes and the replayed state shows the suspension, the escalation and the boost', async () => {
    const dataDir = tempDir();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const hold = gate();
    const hang: Handler = async (_t, ctx) => {
      await ctx.checkpoint({ step: ctx.attempt });
      return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    };
    const hive = await createHive({
      dataDir,
      clock,
      queueLimit: 10,
      logger: memoryLogger().logger,
      handlers: { job: async (_t, ctx) => (await hold.promise, ctx.lastCheckpoint ?? 'fresh'), late: async () => 'late' },
    });
    const escalated: string[] = [];
    hive.on('task.escalated', (e) => void escalated.push(`${String(e.taskId)}:${String(e.code)}`));
    await hive.spawnAgent({ id: 'flaky', name: 'flaky', capabilities: ['job'], heartbeatMs: 1000, maxRestarts: 0, handler: hang });
    await hive.postTask({ id: 'run', type: 'job', phase: 'one' });
    await until(async () => (await hive.getTask('run')).checkpoint !== undefined);
    // A boost: 'dep' inherits the priority of 'top', which waits on it; 'top' also has a deadline.
    await hive.postTask({ id: 'dep', type: 'job', phase: 'one' });
    await hive.postTask({ id: 'top', type: 'late', priority: 8, dependsOn: ['dep'], deadline: clock.now() + 500, phase: 'two' });
    // 8, plus the deadline modifier (2): its deadline is within the hour.
    expect((await hive.getTask('dep')).inheritedPriority).toBe(10);
    clock.advance(500); // top's deadline: escalated
    await until(() => escalated.length === 1);
    clock.advance(500); // flaky misses its heartbeat: run is suspended (no backup)
    await until(() => escalated.length === 2);
    expect(escalated).toEqual(['top:dependency_deadline', 'run:no_backup']);
    await hive.spawnAgent({ id: 'steady', name: 'steady', capabilities: ['job', 'late'], maxConcurrent: 2 });
    hold.open();
    for (const id of ['run', 'dep', 'top']) expect((await hive.waitForTask(id, { timeoutMs: 5000 })).status).toBe('completed');
    expect((await hive.getTask('run')).output).toEqual({ step: 1 });
    await until(async () => (await hive.report()).phases.every((p) => p.pct === 100));
    await hive.close();

    const replay = await openReplay(dataDir);
    try {
      const report = await replay.verify();
      expect(report.inputs).toBeGreaterThan(10);
      await replay.seek(replay.lastSeq);
      expect(replay.actors().map((a) => a.address)).toEqual(expect.arrayContaining(['session', 'task:run', 'agent:flaky']));
      const run = (await replay.why('task:run')).steps.map((st) => st.text);
      expect(run).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^suspended and escalated: agent flaky failed: missed heartbeat; no capable agent/),
          'a capable agent appeared: back in the queue, resuming from its last checkpoint',
        ]),
      );
      const dep = (await replay.why('task:dep')).steps.map((st) => st.text);
      expect(dep).toEqual(expect.arrayContaining(['task:top waits on it: inherits priority 10']));
      const top = (await replay.why('task:top')).steps.map((st) => st.text);
      expect(top).toEqual(expect.arrayContaining(['escalated: still waiting on dep at its deadline']));
    } finally {
      await replay.close();
    }
  });
});
