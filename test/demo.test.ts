import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTerminalTaskStatus } from '../machines/types.js';
import { buildPlan } from '../src/demo/buildTeam.js';
import { openReadStore } from '../src/query/readStore.js';
import { startCli } from './cliRunner.js';
import { tempDir, until } from './helpers.js';

const planIds = buildPlan({ speed: 1 }).map((t) => t.id);

/** Every demo task as stored, read-only. */
async function storedTasks(dir: string) {
  const view = openReadStore(dir);
  try {
    return view.tasks({ limit: 1000 });
  } finally {
    await view.close();
  }
}

describe('hivestate demo', () => {
  it('survives SIGKILL mid-run: the rerun resumes, finishes every task, loses and duplicates none', async () => {
    const dir = join(tempDir('hive-demo-'), 'data');
    const first = startCli(['demo', '--data-dir', dir, '--speed', '15']);
    // Kill it once some tasks finished and others are still to come.
    await until(() => (first.stdout().match(/ (completed|verified) /g) ?? []).length >= 6, 30_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toMatch(/starting build orchestration/);
    const before = await storedTasks(dir);
    expect(before.filter((t) => isTerminalTaskStatus(t.status)).length).toBeLessThan(planIds.length);

    const second = await startCli(['demo', '--data-dir', dir, '--speed', '15']).done;
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/resuming build orchestration/);
    expect(second.stdout).toMatch(new RegExp(`all ${planIds.length} tasks finished .* after resuming`));
    // It ends with the session report: every phase complete.
    const phasesLine = /^session report: (HEALTHY|DEGRADED); phases: (.*)$/m.exec(second.stdout);
    expect(phasesLine, second.stdout).not.toBeNull();
    for (const p of phasesLine![2]!.split(', ')) expect(p).toMatch(/^\w+ (\d+)\/\1 \(100%\)$/);

    const after = await storedTasks(dir);
    expect(after.map((t) => t.id).sort()).toEqual([...planIds].sort());
    for (const t of after) expect(['completed', 'verified'], `${t.id} is ${t.status}`).toContain(t.status);
    // Tests and quality gates were verified; retries happened (seeded failures) and were absorbed.
    expect(after.filter((t) => t.status === 'verified').length).toBe(after.filter((t) => t.verify).length);
    expect(after.some((t) => t.attempts - t.redispatches > 1)).toBe(true);
    // The coverage gate fanned out to the test colony, one worker per module, and fanned the reports in.
    const gate = after.find((t) => t.id === 'quality:coverage')!;
    expect(Object.keys((gate.output as { coverage: object }).coverage).sort()).toEqual(['cli', 'core', 'crypto', 'net', 'server']);
    expect(`${killed.stdout}${second.stdout}`).toMatch(/ worker {4}demo-tests\/w-\d+ (success|partial)/);
    // Build tasks go to auction: the builders bid.
    expect(`${killed.stdout}${second.stdout}`).toMatch(/ auction {3}build:\S+ won by builder-[12] at \d+ \(round \d+\)/);

    // The lead tells every agent when a phase is complete: BROADCASTs that `hivestate messages` lists.
    expect(`${killed.stdout}${second.stdout}`).toMatch(/ message {3}lead to 10 agents: phase \w+ complete/);
    const view = openReadStore(dir);
    try {
      const toBuilder = view.messages({ to: 'builder-1', limit: 100 });
      expect(toBuilder.length).toBeGreaterThan(0);
      for (const m of toBuilder) expect(m).toMatchObject({ type: 'BROADCAST', from: 'lead', to: 'builder-1' });
      expect(toBuilder.some((m) => m.delivery.state === 'delivered')).toBe(true);
    } finally {
      await view.close();
    }

    // A third run on a finished directory has nothing left to do and says so.
    const third = await startCli(['demo', '--data-dir', dir, '--speed', '15']).done;
    expect(third.code).toBe(0);
    expect((await storedTasks(dir)).length).toBe(planIds.length);
  }, 60_000);

  it('Ctrl-C closes the hive cleanly with exit status 130; SIGTERM with 143', async () => {
    const dir = join(tempDir('hive-demo-'), 'data');
    for (const [signal, status] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const run = startCli(['demo', '--data-dir', dir, '--speed', '4']);
      await until(() => / started /.test(run.stdout()), 20_000);
      run.child.kill(signal);
      const r = await run.done;
      expect(r.code).toBe(status);
      expect(r.stderr).toMatch(/^hivestate demo: stopped after .*run the same command again to resume\n$/);
    }
    // Closed cleanly: the lock is released and the final checkpoint holds every task.
    const view = openReadStore(dir);
    try {
      const s = view.status();
      expect(s.writerPid).toBeUndefined();
      expect(s.checkpointSeq).toBe(s.lastSeq);
      expect(s.tasks.total).toBe(planIds.length);
    } finally {
      await view.close();
    }
  }, 60_000);
});
