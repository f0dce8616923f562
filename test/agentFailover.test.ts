/** @module Agent failure: a failed agent's tasks go to a capable backup from their checkpoint, or are suspended and escalated until a capable agent appears. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHive, ManualClock, type AgentSpec, type Handler, type Hive, type TaskSpec } from '../src/index.js';
import { gate, memoryLogger, nextEvent, openHive, tempDir, until, verifyReplay } from './helpers.js';

/** Checkpoints once, then waits until aborted. */
const checkpointThenHang: Handler = async (_t, ctx) => {
  await ctx.checkpoint({ by: ctx.agentId, attempt: ctx.attempt });
  return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
};
/** Finishes with the checkpoint it resumed from. */
const resume: Handler = async (_t, ctx) => ({ resumedFrom: ctx.lastCheckpoint ?? null, attempt: ctx.attempt, agent: ctx.agentId });

describe('agent failure', () => {
  it('a missed heartbeat hands the running task to a capable backup, which resumes from the last checkpoint', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock });
    await hive.spawnAgent({ id: 'flaky', name: 'flaky', capabilities: ['job'], heartbeatMs: 1000, priority: 'high', handler: checkpointThenHang });
    await hive.spawnAgent({ id: 'backup', name: 'backup', capabilities: ['job'], handler: resume });
    const t = await hive.postTask({ type: 'job' });
    await until(async () => (await hive.getTask(t.id)).checkpoint !== undefined);
    const escalated: unknown[] = [];
    hive.on('task.escalated', (e) => void escalated.push(e));
    clock.advance(1000);
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({
      status: 'completed',
      assignedTo: 'backup',
      output: { resumedFrom: { by: 'flaky', attempt: 1 }, attempt: 2, agent: 'backup' },
    });
    expect(await hive.getAgent('flaky')).toMatchObject({ status: 'error', errorReason: 'missed heartbeat' });
    expect(escalated).toEqual([]);
    // The audit log has the decision: handed to a backup, not escalated.
    expect(hive.audit({ target: `task:${t.id}` }).map((r) => [r.type, r.action, r.outcome])).toEqual([
      ['assign', 'hive.assign', 'assigned'],
      ['reassign', 'hive.reassign', 'requeued'],
      ['assign', 'hive.assign', 'assigned'],
    ]);
    expect(hive.audit({ target: `task:${t.id}`, type: 'reassign' })[0]!.details).toMatchObject({
      failedAgent: 'flaky',
      reason: 'agent flaky failed: missed heartbeat',
    });
  });

  it('with no capable backup the task is suspended and escalated, and resumes from its checkpoint when a capable agent registers', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock, handlers: { job: resume } });
    await hive.spawnAgent({ id: 'only', name: 'only', capabilities: ['job'], heartbeatMs: 1000, maxRestarts: 0, handler: checkpointThenHang });
    // Another type's agent is no backup for a job.
    await hive.spawnAgent({ id: 'other', name: 'other', capabilities: ['mail'] });
    const t = await hive.postTask({ type: 'job' });
    await until(async () => (await hive.getTask(t.id)).checkpoint !== undefined);
    const suspended = nextEvent(hive, 'task.suspended');
    const escalated = nextEvent(hive, 'task.escalated');
    clock.advance(1000);
    expect(await escalated).toMatchObject({ taskId: t.id, code: 'no_backup', agentId: 'only', reason: expect.stringContaining('missed heartbeat') });
    expect(await suspended).toMatchObject({ taskId: t.id, agentId: 'only' });
    const view = await hive.getTask(t.id);
    expect(view).toMatchObject({ status: 'suspended', checkpoint: { by: 'only', attempt: 1 }, escalation: { code: 'no_backup' } });
    expect(view.assignedTo).toBeUndefined();
    expect(await hive.listTasks({ status: 'suspended' })).toEqual([expect.objectContaining({ id: t.id })]);
    expect((await hive.status()).tasks).toMatchObject({ suspended: 1 });
    expect((await hive.getAgent('only')).tasks).toEqual([]);

    await hive.spawnAgent({ id: 'fresh', name: 'fresh', capabilities: ['job'] });
    expect(await hive.waitForTask(t.id, { timeoutMs: 5000 })).toMatchObject({
      status: 'completed',
      assignedTo: 'fresh',
      output: { resumedFrom: { by: 'only', attempt: 1 }, attempt: 2, agent: 'fresh' },
    });
    // Audited: escalated by the coordinator (suspended), then requeued when 'fresh' appeared.
    expect(hive.audit({ target: `task:${t.id}` }).map((r) => [r.type, r.actor, r.action, r.outcome])).toEqual([
      ['assign', 'coordinator', 'hive.assign', 'assigned'],
      ['escalate', 'coordinator', 'task.escalated', 'suspended'],
      ['reassign', 'coordinator', 'hive.resume', 'requeued'],
      ['assign', 'coordinator', 'hive.assign', 'assigned'],
    ]);
  });

  it('a suspended task resumes when the failed agent is resumed or recovers on its own, and can be cancelled meanwhile', async () => {
    const clock = new ManualClock(0);
    const hive = await openHive({ clock, handlers: { job: resume } });
    const hold = gate();
    await hive.spawnAgent({
      id: 'solo',
      name: 'solo',
      capabilities: ['job'],
      heartbeatMs: 1000,
      maxRestarts: 1,
      restartBackoffMs: 5000,
      maxConcurrent: 2,
      handler: async (t, ctx) => {
        if (ctx.attempt === 1) return checkpointThenHang(t, ctx);
        await hold.promise;
        return resume(t, ctx);
      },
    });
    const a = await hive.postTask({ type: 'job' });
    const b = await hive.postTask({ type: 'job' });
    await until(async () => (await hive.getTask(a.id)).checkpoint !== undefined && (await hive.getTask(b.id)).checkpoint !== undefined);
    clock.advance(1000);
    await until(async () => (await hive.getTask(a.id)).status === 'suspended' && (await hive.getTask(b.id)).status === 'suspended');
    expect((await hive.cancelTask(b.id)).status).toBe('cancelled');
    // The automatic restart after restartBackoffMs brings the agent back: the suspended task with it.
    clock.advance(5000);
    await until(async () => (await hive.getTask(a.id)).status === 'running');
    expect(await hive.getAgent('solo')).toMatchObject({ restarts: 1, tasks: [a.id] });
    hold.open();
    await hive.heartbeat('solo');
    expect(await hive.waitForTask(a.id, { timeoutMs: 5000 })).toMatchObject({
      status: 'completed',
      output: { resumedFrom: { by: 'solo', attempt: 1 }, attempt: 2 },
    });
    expect((await hive.getTask(b.id)).status).toBe('cancelled');
  });

  it('crossing the error threshold suspends its other running task when no backup is left; resumeAgent brings it back', async () => {
    let calls = 0;
    const holdSecond = gate();
    const hive = await openHive({
      handlers: {
        job: async (t, ctx) => {
          calls++;
          if (t.input === 'bad') throw new Error('broken');
          if (ctx.attempt === 1) {
            await ctx.checkpoint('half');
            return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
          }
          await holdSecond.promise;
          return { resumedFrom: ctx.lastCheckpoint ?? null };
        },
      },
    });
    await hive.spawnAgent({ id: 'w', name: 'w', capabilities: ['job'], maxConcurrent: 2, failureThreshold: 1, maxRestarts: 0 });
    const long = await hive.postTask({ type: 'job', input: 'long' });
    await until(async () => (await hive.getTask(long.id)).checkpoint === 'half');
    const escalated = nextEvent(hive, 'task.escalated');
    await hive.postTask({ type: 'job', input: 'bad', maxRetries: 0 });
    expect(await escalated).toMatchObject({ taskId: long.id, code: 'no_backup', reason: expect.stringContaining('too many consecutive failures') });
    expect(await hive.getTask(long.id)).toMatchObject({ status: 'suspended', checkpoint: 'half' });
    expect((await hive.resumeAgent('w')).status).not.toBe('error');
    holdSecond.open();
    expect(await hive.waitForTask(long.id, { timeoutMs: 5000 })).toMatchObject({ status: 'completed', output: { resumedFrom: 'half' }, attempts: 2 });
    expect(calls).toBe(3);
  });
});

/** Runs test/fixtures/escalationChild.ts and collects what it prints. */
function startChild(plan: { dataDir: string; agents: AgentSpec[]; tasks: TaskSpec[] }) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'escalationChild.ts'), JSON.stringify(plan)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    lines: () => out.split('\n'),
    async waitFor(pattern: RegExp, timeoutMs = 20_000) {
      await until(() => {
        if (child.exitCode !== null) throw new Error(`child exited: ${err}`);
        return out.split('\n').some((l) => pattern.test(l));
      }, timeoutMs);
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function reopen(dataDir: string): Promise<Hive> {
  return createHive({ dataDir, logger: memoryLogger().logger, handlers: { job: resume } });
}

describe('agent failure across a kill -9', () => {
  it('a task reassigned from a failed agent to its backup survives a kill -9 and finishes from the backup checkpoint', async () => {
    const dataDir = join(tempDir(), 'data');
    const child = startChild({
      dataDir,
      agents: [
        { id: 'flaky', name: 'flaky', capabilities: ['job'], heartbeatMs: 1500, maxRestarts: 0 },
        { id: 'backup', name: 'backup', capabilities: ['job'] },
      ],
      tasks: [{ id: 't', type: 'job' }],
    });
    await child.waitFor(/^started t 2 \{"by":"flaky","attempt":1\}$/);
    await child.waitFor(/^started t 1 null$/);
    await new Promise((r) => setTimeout(r, 100)); // let the backup's own checkpoint be journaled
    await child.kill9();
    expect(child.lines().some((l) => l.startsWith('escalated'))).toBe(false);

    const hive = await reopen(dataDir);
    try {
      const done = await hive.waitForTask('t', { timeoutMs: 10_000 });
      expect(done.status).toBe('completed');
      expect(done.output).toMatchObject({ resumedFrom: { by: 'backup', attempt: 2 }, attempt: 3 });
      expect(await hive.getAgent('flaky')).toMatchObject({ status: 'error', errorReason: 'missed heartbeat' });
    } finally {
      await hive.close();
    }
  });

  it('a suspended task stays suspended across a kill -9 and resumes from its checkpoint when a capable agent registers', async () => {
    const dataDir = join(tempDir(), 'data');
    const child = startChild({
      dataDir,
      agents: [{ id: 'only', name: 'only', capabilities: ['job'], heartbeatMs: 1500, maxRestarts: 0 }],
      tasks: [{ id: 't', type: 'job', phase: 'render' }],
    });
    await child.waitFor(/^escalated t no_backup$/);
    await child.waitFor(/^suspended t$/);
    await child.kill9();

    const hive = await reopen(dataDir);
    try {
      expect(await hive.getTask('t')).toMatchObject({ status: 'suspended', checkpoint: { by: 'only', attempt: 1 }, escalation: { code: 'no_backup' } });
      const report = await hive.report();
      expect(report.health).toBe('CRITICAL');
      expect(report.issues).toEqual(expect.arrayContaining([expect.stringContaining('1 task suspended')]));
      expect(report.phases).toEqual([{ name: 'render', done: 0, total: 1, pct: 0 }]);
      const phaseDone = nextEvent(hive, 'phase.completed');
      await hive.spawnAgent({ id: 'fresh', name: 'fresh', capabilities: ['job'] });
      expect(await hive.waitForTask('t', { timeoutMs: 10_000 })).toMatchObject({
        status: 'completed',
        assignedTo: 'fresh',
        output: { resumedFrom: { by: 'only', attempt: 1 }, attempt: 2, agent: 'fresh' },
      });
      expect(await phaseDone).toMatchObject({ phase: 'render', total: 1, done: 1, byStatus: { completed: 1 } });
      // Work goes on; the failed agent is still a problem to look at.
      expect(await hive.report()).toMatchObject({ health: 'DEGRADED', issues: ['1 agent in error: only (missed heartbeat)'] });
    } finally {
      await hive.close();
    }
    // Both processes' inputs, the kill between them included, replay to the same state.
    await verifyReplay(dataDir);
  });
});
